// Administration in Debian's chromium: every administration page checked with axe (WCAG 2.2
// AA tags), a user added through the form, a role granted and a team made and joined.
// The server is started by scripts/browser-tests with the demo data; CASEWORK_URL says where.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { base, launch, noViolations, signedIn as signInWith } from './support.mjs';

// The demo server is shared with the other test files and kept between runs by nobody, but a
// fresh name per run keeps this file independent of what ran before.
const suffix = Date.now().toString(36);
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
const signedIn = (username, secret) => signInWith(browser, username, { secret });

test('an administrator looks at an account and adds a user through the form', async () => {
  const { context, page } = await signedIn('admin');
  await page.click('text=Administration');
  await page.waitForSelector('h1');
  assert.equal(await page.textContent('h1'), 'Administration');
  await noViolations(page, 'admin-overview');

  await page.click('a:text-is("recovery.recovery-practitioner")');
  await page.waitForSelector('.govuk-summary-list');
  assert.match(await page.textContent('.govuk-summary-list'), /recovery\.recovery-practitioner/);
  assert.ok(await page.locator('form[action$="/roles/revoke"]').count() > 0, 'each role held can be revoked');
  await noViolations(page, 'admin-user');

  await page.goto(`${base}/admin`);
  await page.click('text=Add a user');
  await page.waitForSelector('h1');
  assert.equal(await page.textContent('h1'), 'Add a user');
  await noViolations(page, 'admin-user-new');
  await page.click('button:text("Add the user")');
  await page.waitForSelector('.govuk-error-summary');
  assert.equal(await page.getAttribute('.govuk-error-summary__list a >> nth=0', 'href'), '#username');
  await noViolations(page, 'admin-user-new-errors');

  const username = `browser.${suffix}`;
  await page.fill('#username', username);
  await page.fill('#display_name', 'Brook Owusu');
  await page.fill('#password', 'a long enough secret for brook');
  await page.check('#administrator-no');
  await page.selectOption('#role', 'recovery:support-worker');
  await page.click('button:text("Add the user")');
  await page.waitForSelector('.govuk-notification-banner--success');
  assert.equal(await page.textContent('h1'), 'Brook Owusu');
  assert.match(await page.textContent('.govuk-notification-banner'), /The user was added/);
  assert.equal(await page.locator('form[action$="/roles/revoke"]').count(), 1);
  await noViolations(page, 'admin-user-added');

  await page.selectOption('#role', 'recovery:care-coordinator');
  await page.click('button:text("Grant the role")');
  await page.waitForSelector('.govuk-notification-banner--success');
  assert.equal(await page.locator('form[action$="/roles/revoke"]').count(), 2);
  await page.fill('#password', 'short');
  await page.click('button:text("Reset the password")');
  await page.waitForSelector('.govuk-error-summary');
  assert.equal(await page.getAttribute('.govuk-error-summary__list a >> nth=0', 'href'), '#password');
  await noViolations(page, 'admin-user-errors');
  await context.close();

  const brook = await signedIn(username, 'a long enough secret for brook');
  assert.equal(await brook.page.locator('a:text-is("Administration")').count(), 0, 'no Administration link for them');
  const refused = await brook.page.goto(`${base}/admin/users/new`);
  assert.equal(refused.status(), 403);
  await brook.context.close();
});

test('an administrator makes a team and adds a member', async () => {
  const { context, page } = await signedIn('admin');
  await page.goto(`${base}/admin`);
  await page.click('text=Create a team');
  await page.waitForSelector('h1');
  await noViolations(page, 'admin-team-new');
  await page.selectOption('#service', 'recovery');
  await page.fill('#name', `Browser team ${suffix}`);
  await page.click('button:text("Create the team")');
  await page.waitForSelector('.govuk-notification-banner--success');
  assert.equal(await page.textContent('h1'), `Browser team ${suffix}`);
  await noViolations(page, 'admin-team');
  await page.click('button:text("Add to the team")');
  await page.waitForSelector('.govuk-error-summary');
  await noViolations(page, 'admin-team-errors');
  await page.selectOption('#user', { label: 'Lorraine Booth (recovery.administrator)' });
  await page.click('button:text("Add to the team")');
  await page.waitForSelector('.govuk-notification-banner--success');
  assert.match(await page.textContent('table'), /Lorraine Booth/);
  await noViolations(page, 'admin-team-member');
  await context.close();
});
