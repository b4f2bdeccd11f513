// Casework's pages in Debian's chromium: every page checked with axe (WCAG 2.2 AA tags),
// a keyboard journey, a 320 px screen, the security headers, and who may see what.
// The server is started by scripts/browser-tests with the demo data; CASEWORK_URL says where.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artefacts, base, launch, noViolations, signedIn as signInWith } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
const signedIn = (username, viewport) => signInWith(browser, username, { viewport });

test('the sign-in page is accessible, explains a wrong password and sets no session', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const response = await page.goto(`${base}/sign-in`);
  const csp = response.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  await noViolations(page, 'sign-in');
  await page.fill('#username', 'recovery.recovery-practitioner');
  await page.fill('#password', 'not the password');
  await page.click('button[type=submit]');
  await page.waitForSelector('.govuk-error-summary');
  assert.equal(await page.textContent('.govuk-error-summary__list a'), 'Enter a correct username and password');
  await noViolations(page, 'sign-in-error');
  assert.equal((await context.cookies()).length, 0);
  await context.close();
});

const services = [
  ['recovery', 'recovery.recovery-practitioner'],
  ['deanery', 'deanery.clinical-case-manager'],
  ['child-survivor', 'child-survivor.caseworker'],
  ['ombudsman', 'ombudsman.investigator'],
  ['family-court', 'family-court.family-court-adviser'],
];

for (const [service, username] of services) {
  test(`a ${service} worker signs in, sees their caseload and opens a case`, async () => {
    const { context, page } = await signedIn(username);
    assert.equal(await page.textContent('h1'), 'Your work');
    const response = await page.reload();
    assert.equal(response.headers()['cache-control'], 'no-store');
    await noViolations(page, `${service}-home`);
    const first = page.locator('table a').first();
    if (await first.count() > 0) {
      const reference = (await first.textContent()).trim();
      await first.click();
      await page.waitForSelector('.moj-identity-bar');
      assert.match(await page.textContent('.moj-identity-bar'), new RegExp(reference));
      await noViolations(page, `${service}-case`);
      if (await page.locator('#note-body').count() > 0) {
        await page.click('text=Save note');
        await page.waitForSelector('.govuk-error-summary');
        await noViolations(page, `${service}-note-error`);
        const text = `Spoke with the client about next steps (${service}).`;
        await page.fill('#note-body', text);
        await page.selectOption('#note-kind', 'phone');
        await page.click('text=Save note');
        await page.waitForSelector('.cw-note');
        assert.equal((await page.locator('.cw-note').first().textContent()).trim(), text);
      }
      for (const section of ['Tasks', 'Forms, plan and decisions', 'Documents', 'Case details', 'Sharing', 'History']) {
        await page.click(`.moj-sub-navigation__link:text("${section}")`);
        await page.waitForSelector('h2');
        assert.equal(await page.locator('.moj-sub-navigation__item').count(), 7);
        assert.equal(await page.locator('[aria-current=page]').textContent(), section);
        await noViolations(page, `${service}-case-${section.split(' ')[0].replace(',', '').toLowerCase()}`);
      }
    }
    const list = page.locator('.govuk-grid-column-one-third a').first();
    if (await list.count() > 0) {
      await list.click();
      await page.waitForSelector('h1');
      await noViolations(page, `${service}-work-list`);
    }
    await page.click('text=Sign out');
    await page.waitForURL(`${base}/sign-in`);
    await context.close();
  });
}

test('a training programme director cannot open a trainee case', async () => {
  const manager = await signedIn('deanery.clinical-case-manager');
  const link = manager.page.locator('table a').first();
  const href = await link.getAttribute('href');
  await manager.context.close();
  const tpd = await signedIn('deanery.training-programme-director');
  const response = await tpd.page.goto(`${base}${href}`);
  assert.equal(response.status(), 404);
  assert.equal(await tpd.page.textContent('h1'), 'Page not found');
  await noViolations(tpd.page, 'deanery-tpd-refused');
  await tpd.context.close();
});

test('the keyboard reaches the skip link first and it moves focus to the content', async () => {
  const { context, page } = await signedIn('recovery.recovery-practitioner');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Skip to main content');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle + getComputedStyle(document.activeElement).backgroundColor);
  assert.notEqual(outline, 'nonergba(0, 0, 0, 0)', 'focus is visible');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => location.hash), '#main-content');
  await page.keyboard.press('Tab');
  const inMain = await page.evaluate(() => document.querySelector('main').contains(document.activeElement));
  assert.ok(inMain, 'after the skip link, the next stop is in the main content');
  await context.close();
});

test('pages fit a 320 pixel wide screen', async () => {
  const { context, page } = await signedIn('recovery.recovery-practitioner', { width: 320, height: 640 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the home page scrolls sideways by ${overflow}px`);
  await context.close();
});

test('a signed-in user is warned before the idle time-out and can stay signed in', async () => {
  const { context, page } = await signedIn('recovery.recovery-practitioner');
  assert.equal(await page.isVisible('#cw-timeout'), false);
  await page.evaluate(() => document.dispatchEvent(new Event('casework:warn-timeout')));
  await page.waitForSelector('#cw-timeout[open]');
  await noViolations(page, 'timeout-warning');
  const keepAlive = page.waitForResponse((r) => r.url().endsWith('/session/keep-alive'));
  await page.click('text=Stay signed in');
  assert.equal((await keepAlive).status(), 204);
  await page.waitForSelector('#cw-timeout:not([open])', { state: 'attached' });
  await context.close();
});

test('a worker prints their caseload for the emergency protocol', async () => {
  const { context, page } = await signedIn('recovery.recovery-practitioner');
  await page.click('text=Printable caseload');
  await page.waitForSelector('h1');
  assert.match(await page.textContent('h1'), /Caseload of recovery.recovery-practitioner/);
  assert.ok(await page.locator('tbody tr').count() > 0);
  await noViolations(page, 'print-caseload');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.isVisible('.govuk-header'), false, 'no header on paper');
  await page.pdf({ path: join(artefacts, 'caseload.pdf') });
  await context.close();
});

test('administration is for administrators only', async () => {
  const admin = await signedIn('admin');
  await admin.page.click('text=Administration');
  await admin.page.waitForSelector('h1');
  assert.equal(await admin.page.textContent('h1'), 'Administration');
  assert.ok(await admin.page.locator('text=recovery.recovery-practitioner').count() > 0);
  await noViolations(admin.page, 'admin');
  await admin.context.close();
  const worker = await signedIn('recovery.recovery-practitioner');
  const response = await worker.page.goto(`${base}/admin`);
  assert.equal(response.status(), 403);
  await noViolations(worker.page, 'admin-refused');
  await worker.context.close();
});

test('a programme director refers a trainee and sees what the referral still needs', async () => {
  const { context, page } = await signedIn('deanery.training-programme-director');
  await page.click('text=New referral to');
  await page.waitForSelector('h1');
  await noViolations(page, 'referral-new');
  await page.click('text=Record the referral');
  await page.waitForSelector('.govuk-error-summary');
  await noViolations(page, 'referral-new-errors');
  await page.fill('#person-given_name', 'Aisha');
  await page.fill('#person-family_name', 'Begum');
  await page.fill('#person-date_of_birth', '1995-02-14');
  await page.fill('#summary', 'Struggling after a serious incident on nights.');
  await page.fill('#form-form-1-summary', 'Serious incident on a night shift; no patient harm.');
  await page.click('text=Record the referral');
  await page.waitForSelector('.govuk-inset-text');
  assert.match(await page.textContent('.govuk-inset-text'), /Incomplete/);
  assert.match(await page.textContent('.govuk-inset-text'), /Form 2/);
  assert.match(await page.textContent('h1'), /Aisha Begum/);
  await noViolations(page, 'referral');

  // The trainee's own form, from a link, without an account.
  await page.locator('button', { hasText: 'to fill in Form E' }).click();
  await page.waitForSelector('#subject-link');
  await noViolations(page, 'referral-link-made');
  const link = await page.inputValue('#subject-link');
  const trainee = await browser.newContext();
  const form = await trainee.newPage();
  await form.goto(link);
  assert.equal(await form.textContent('h1'), 'Form E: examination failure');
  await noViolations(form, 'subject-form');
  await form.click('text=Send the form');
  await form.waitForSelector('.govuk-error-summary');
  await noViolations(form, 'subject-form-errors');
  await form.fill('#form-form-e-examination', 'MRCP part 1');
  await form.click('text=Send the form');
  await form.waitForSelector('.govuk-panel--confirmation');
  await noViolations(form, 'subject-form-sent');
  await trainee.close();
  await page.reload();
  assert.match(await page.textContent('dl'), /Form E: examination failure \(by the person\)/);
  await context.close();
});

test('the deputy dean holds the weekly triage and decides a referral in it', async () => {
  const { context, page } = await signedIn('deanery.deputy-dean');
  await page.click('text=Hold the weekly triage meeting');
  await page.waitForSelector('h1');
  assert.equal(await page.textContent('h1'), 'Weekly triage meeting');
  await noViolations(page, 'triage');
  const first = page.locator('form[action*="/items/"]').first();
  if (await first.count() > 0) {
    await first.locator('button').click();
    await page.waitForSelector('.govuk-error-summary');
    await noViolations(page, 'triage-error');
    const form = page.locator('form[action*="/items/"]').first();
    await form.locator('select[name=level]').selectOption({ index: 2 });
    await form.locator('textarea[name=minute]').fill('Level 2: allocate to a case manager.');
    await form.locator('button').click();
    await page.waitForSelector('.govuk-tag--green');
    assert.match(await page.textContent('.govuk-tag--green'), /accepted/);
  }
  await context.close();
});
