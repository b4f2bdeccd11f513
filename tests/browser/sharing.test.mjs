// Sharing a case from its pages in Debian's chromium: the Sharing section lists what was
// disclosed, a share without a basis is refused at the basis, and one on the ombudsmen's
// statutory consultation is recorded. Every page on the way is checked with axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { base, launch, noViolations, signedIn } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a team coordinator records a share on the statutory consultation after a refusal without a basis', async () => {
  const { context, page } = await signedIn(browser, 'ombudsman.team-coordinator');
  const list = page.locator('a[href^="/work-lists/ombudsman/"]').first();
  await page.goto(`${base}${await list.getAttribute('href')}`);
  await page.locator('table a[href^="/cases/"]').first().click();
  await page.waitForSelector('.moj-identity-bar');

  await page.click('.moj-sub-navigation__link:text("Sharing")');
  await page.waitForSelector('h2:text("Record a share")');
  await noViolations(page, 'case-sharing');

  await page.fill('#disclosure-recipient_organisation', 'Parliamentary and Health Service Ombudsman');
  await page.fill('#disclosure-sent_how', 'Secure email');
  await page.fill('#disclosure-summary', 'The complaint and the NHS body complained about');
  await page.fill('#disclosure-reason', 'Initial look with the health ombudsman');
  await page.click('button:text("Record the share")');
  await page.waitForSelector('.govuk-error-summary');
  assert.match(await page.locator('#disclosure-basis-error').innerText(), /choose the basis for this disclosure/i);
  assert.equal(await page.inputValue('#disclosure-recipient_organisation'), 'Parliamentary and Health Service Ombudsman');
  await noViolations(page, 'case-sharing-refused');

  await page.selectOption('#disclosure-basis', 'statutory:ombudsmen-consultation');
  await page.click('button:text("Record the share")');
  await page.waitForSelector('text=The disclosure was recorded with its basis');
  const recorded = page.locator('li.cw-disclosure', { hasText: 'Parliamentary and Health Service Ombudsman' }).first();
  assert.match(await recorded.innerText(), /Statutory consultation between the ombudsmen/);
  await noViolations(page, 'case-sharing-recorded');

  // A transfer may not rest on the consultation: it is not offered.
  await page.click('a:text("a transfer")');
  await page.waitForSelector('h2:text("Record a transfer")');
  const offered = await page.locator('#disclosure-basis option').evaluateAll((options) => options.map((o) => o.value));
  assert.ok(!offered.includes('statutory:ombudsmen-consultation'), offered.join(', '));
  await noViolations(page, 'case-sharing-transfer');
  await context.close();
});
