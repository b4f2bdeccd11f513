// A case's documents in Debian's chromium: the Documents section with the demo's restricted,
// do-not-disclose, redacted and paper documents; an upload refused with its problems at their
// fields, then a file uploaded through the page, listed and downloaded byte for byte; a paper
// document recorded. Every page on the way is checked with axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { base, launch, noViolations, signedIn } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a clinical case manager uploads, lists and downloads a document on a deanery case', async () => {
  const { context, page } = await signedIn(browser, 'deanery.clinical-case-manager');
  await page.locator('tr', { hasText: 'Hartley' }).locator('a[href^="/cases/"]').first().click();
  await page.waitForSelector('.moj-identity-bar');
  await page.click('.moj-sub-navigation__link:text("Documents")');
  await page.waitForSelector('h2#documents');
  const listed = await page.locator('main').innerText();
  assert.match(listed, /Occupational health report\s*Restricted\s*Third party/);
  assert.match(listed, /Patient safety investigation: draft findings\s*Do not disclose/);
  assert.match(listed, /draft findings \(redacted\)\s*Redacted copy/);
  assert.match(listed, /Paper, kept at Deanery office, Leeds, cabinet 3/);
  await noViolations(page, 'case-documents');

  await page.click('button:text("Upload the document")');
  await page.waitForSelector('.govuk-error-summary');
  assert.match(await page.locator('#document-title-error').innerText(), /Enter|title|empty/i);
  assert.match(await page.locator('#document-file-error').innerText(), /choose a file/i);
  await noViolations(page, 'case-documents-errors');

  const content = `Minutes of the support meeting, ${new Date().toISOString()}\n`;
  await page.fill('#document-title', 'Support meeting minutes');
  await page.check('#document-third_party');
  await page.setInputFiles('#document-file', { name: 'minutes.txt', mimeType: 'text/plain', buffer: Buffer.from(content) });
  await page.click('button:text("Upload the document")');
  await page.waitForSelector('text=The document was uploaded');
  const item = page.locator('ul.cw-documents > li', { hasText: 'Support meeting minutes' });
  assert.match(await item.innerText(), /Third party[\s\S]*Text, \d+ bytes/);
  await noViolations(page, 'case-documents-uploaded');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    item.locator('a:text("Download")').first().click(),
  ]);
  assert.equal(download.suggestedFilename(), 'Support-meeting-minutes.txt');
  assert.equal(await readFile(await download.path(), 'utf8'), content);

  await page.fill('#paper-title', 'Signed support plan');
  await page.fill('#paper-location', 'Deanery office, Leeds, cabinet 3');
  await page.fill('#paper-received_on', 'not a date');
  await page.click('button:text("Record the paper document")');
  await page.waitForSelector('.govuk-error-summary');
  await noViolations(page, 'case-documents-paper-error');
  await page.fill('#paper-received_on', '2026-01-05');
  await page.click('button:text("Record the paper document")');
  await page.waitForSelector('text=The paper document was recorded');
  assert.match(await page.locator('main').innerText(), /Signed support plan[\s\S]*received 5 January 2026/);
  await context.close();
});
