// A subject access request worked from its pages in Debian's chromium: a service manager
// finds the person, records the request, confirms their identity, sees it in the work list
// with its due date, downloads the bundle and records the response sent. Both pages are
// checked with axe on the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { base, launch, noViolations, signedIn } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// The date a hint gives as its example: today, as the server reckons it.
async function today(page, hint) {
  const text = await page.locator(hint).innerText();
  const found = text.match(/\d{4}-\d{2}-\d{2}/);
  assert.ok(found, text);
  return found[0];
}

test('a service manager records a request, confirms identity, downloads the bundle and records the response', async () => {
  const { context, page } = await signedIn(browser, 'recovery.service-manager');
  await page.click('a[href="/services/recovery/subject-access"]');
  await page.waitForSelector('h1:text("Subject access requests")');
  // The demo's request awaiting proof of identity is listed, with no clock yet.
  const waiting = page.locator('tbody tr', { hasText: 'Dawson' });
  assert.match(await waiting.innerText(), /when identity is confirmed[\s\S]*Awaiting identity/);

  await page.fill('#find', 'McGregor');
  await page.click('button:text("Find")');
  await page.waitForSelector('#person');
  await noViolations(page, 'subject-access-list');
  await page.check('#person');
  const day = await today(page, '#received_on-hint');
  await page.fill('#received_on', day);
  await page.fill('#details', 'Everything about my time with the service');
  await page.click('button:text("Record the request")');
  await page.waitForSelector('text=The request is recorded');
  assert.equal(await page.locator('h1').innerText(), 'Stuart McGregor');
  const request = new URL(page.url()).pathname;
  await noViolations(page, 'subject-access-request');

  await page.fill('#confirmed_on', day);
  await page.click('button:text("Confirm identity")');
  await page.waitForSelector('text=Identity is confirmed: the clock has started');
  const due = await page.locator('.govuk-summary-list__row', { hasText: 'Due' }).locator('dd').innerText();
  assert.match(due, /^\d{1,2} [A-Z][a-z]+ \d{4}$/);
  await noViolations(page, 'subject-access-request-open');

  // In the work list with its due date and the time left.
  await page.click('a.govuk-back-link');
  await page.waitForSelector('h1:text("Subject access requests")');
  const row = page.locator('tbody tr', { hasText: 'Stuart McGregor' });
  const cells = await row.locator('td').allInnerTexts();
  assert.equal(cells[3], due, cells.join(' | '));
  assert.match(cells[4], /^due in \d+ days$/, cells.join(' | '));
  assert.equal(cells[5], 'Open');
  await noViolations(page, 'subject-access-list-open');

  await row.locator('a').click();
  await page.waitForURL(`${base}${request}`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:text("Download the bundle")')]);
  assert.match(download.suggestedFilename(), /^SAR-DARS-\d{4}-\d{4}-\d{4}-\d{2}-\d{2}\.zip$/);

  await page.fill('#sent_on', day);
  await page.click('button:text("Record the response sent")');
  await page.waitForSelector('text=The response is recorded as sent: the request is completed');
  assert.match(await page.locator('.govuk-summary-list').innerText(), /Response sent/);
  assert.equal(await page.locator('button:text("Download the bundle")').count(), 0);
  await noViolations(page, 'subject-access-request-completed');
  await context.close();
});
