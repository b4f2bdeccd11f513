// Restricted and shielded demo cases in Debian's chromium: the caseworker named on them
// finds them in their caseload; the focal point changes who may see one from its restriction
// panel; the supervisor, who is not named, is offered break-glass on the restricted case
// (and is told nothing of the shielded one), opens it with a reason and sees the banner.
// Every page on the way, errors included, is checked with axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { base, launch, noViolations, signedIn } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The case address of a case in the caseworker's caseload, by the person's family name. */
async function caseOf(familyName) {
  const { context, page } = await signedIn(browser, 'child-survivor.caseworker');
  const row = page.locator('tr', { hasText: familyName });
  const href = await row.locator('a[href^="/cases/"]').first().getAttribute('href');
  await context.close();
  return href;
}

test('restricted and shielded cases: the panel, break-glass and its banner', async () => {
  const restricted = await caseOf('Quinn');
  const shielded = await caseOf('Marsh');

  const worker = await signedIn(browser, 'child-survivor.caseworker');
  await worker.page.goto(`${base}${shielded}`);
  assert.match(await worker.page.locator('.moj-identity-bar').innerText(), /Shielded/);
  await worker.context.close();

  const focal = await signedIn(browser, 'child-survivor.focal-point');
  await focal.page.goto(`${base}${restricted}/details`);
  assert.match(await focal.page.locator('.moj-identity-bar').innerText(), /Restricted/);
  await focal.page.locator('summary', { hasText: 'Change the restriction' }).click();
  await noViolations(focal.page, 'restriction-panel');
  // Leaving nobody but the worker named would lock the focal point out: refused, shown at the fields.
  await focal.page.uncheck('input[name="roles"][value="focal-point"]');
  await focal.page.click('button:text("Save the restriction")');
  await focal.page.waitForSelector('.govuk-error-summary');
  await noViolations(focal.page, 'restriction-panel-error');
  await focal.context.close();

  const supervisor = await signedIn(browser, 'child-survivor.supervisor');
  const hidden = await supervisor.page.goto(`${base}${shielded}`);
  assert.equal(hidden.status(), 404, 'a shielded case does not exist for the supervisor');
  const offered = await supervisor.page.goto(`${base}${restricted}`);
  assert.equal(offered.status(), 403);
  await supervisor.page.waitForSelector('h1:text("This case is restricted")');
  assert.doesNotMatch(await supervisor.page.locator('main').innerText(), /Quinn/);
  await noViolations(supervisor.page, 'break-glass');
  await supervisor.page.click('button:text("Open the case by break-glass")');
  await supervisor.page.waitForSelector('.govuk-error-summary');
  await noViolations(supervisor.page, 'break-glass-errors');
  await supervisor.page.check('#break-glass-reason');
  await supervisor.page.fill('#break-glass-details', 'The caseworker is off sick and the police need an answer today.');
  await supervisor.page.click('button:text("Open the case by break-glass")');
  await supervisor.page.waitForSelector('.moj-identity-bar');
  assert.match(await supervisor.page.locator('.govuk-notification-banner').innerText(), /You opened this restricted case by break-glass/);
  await noViolations(supervisor.page, 'break-glass-banner');
  await supervisor.context.close();
});
