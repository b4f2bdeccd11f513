// Working a case from its pages in Debian's chromium, without typing a URL: a task added and
// completed, a scored form filled in from its schema, an objective added, consent recorded,
// the case closed, then reopened. Every page on the way, errors included, is checked with axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { base, launch, noViolations, signedIn } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a care coordinator works a recovery case from task to closure and reopens it', async () => {
  const { context, page } = await signedIn(browser, 'recovery.care-coordinator');
  const list = page.locator('a[href^="/work-lists/recovery/"]').first();
  await page.goto(`${base}${await list.getAttribute('href')}`);
  await page.locator('table a[href^="/cases/"]').first().click();
  await page.waitForSelector('.moj-identity-bar');

  await page.click('.moj-sub-navigation__link:text("Tasks")');
  await page.click('button:text("Add the task")');
  await page.waitForSelector('.govuk-error-summary');
  await noViolations(page, 'case-task-error');
  await page.fill('#task-title', 'Book the induction visit');
  await page.fill('#task-due_on', '2030-01-15');
  await page.click('button:text("Add the task")');
  await page.waitForSelector('.govuk-notification-banner--success');
  await noViolations(page, 'case-task-added');
  const task = page.locator('li', { hasText: 'Book the induction visit' }).last();
  await task.locator('button:text("Complete")').click();
  await page.waitForSelector('text=The task was completed');

  await page.click('.moj-sub-navigation__link:text("Forms, plan and decisions")');
  await page.locator('summary', { hasText: 'Fill in a form' }).click();
  await page.click('a:text("Alcohol screening (10 questions)")');
  await page.waitForSelector('h1:text("Alcohol screening")');
  await noViolations(page, 'case-form');
  await page.click('button:text("Save the form")');
  await page.waitForSelector('.govuk-error-summary');
  await noViolations(page, 'case-form-errors');
  // Questions with a free number are typed; those with set answers (0, 2 or 4) are choices.
  let expected = 0;
  for (let q = 1; q <= 10; q += 1) {
    const field = page.locator(`#form-alcohol-screening-q${q}`);
    if (await field.getAttribute('type') === 'radio') {
      await page.check(`input[name="form.alcohol-screening.q${q}"][value="2"]`);
      expected += 2;
    } else {
      await field.fill('1');
      expected += 1;
    }
  }
  const who = page.locator('#completed_by');
  if (await who.count() > 0) await who.check();
  await page.click('button:text("Save the form")');
  await page.waitForSelector('text=The form was saved');
  assert.match(await page.locator('main').innerText(), new RegExp(`score ${expected}`));
  await page.locator('summary', { hasText: 'Add an objective' }).click();
  await page.fill('#objective-description', 'Attend every group session');
  await page.fill('#objective-measure', 'Attendance register');
  await page.fill('#objective-target_date', '2030-06-01');
  await page.click('button:text("Add the objective")');
  await page.waitForSelector('text=The objective was added to the plan');
  await noViolations(page, 'case-record');

  await page.click('.moj-sub-navigation__link:text("Case details")');
  await noViolations(page, 'case-details');
  await page.locator('summary', { hasText: "Record consent or a child's assent" }).click();
  await page.click('button:text("Record it")');
  await page.waitForSelector('.govuk-error-summary');
  await noViolations(page, 'case-consent-errors');
  await page.fill('#consent-given_by', 'The client');
  await page.fill('#consent-relationship', 'self');
  await page.fill('#consent-scope', 'Care plan and test results');
  await page.fill('#consent-with_whom', 'Community drug team');
  await page.check('#consent-how');
  await page.fill('#consent-given_on', '2026-01-05');
  await page.click('button:text("Record it")');
  await page.waitForSelector('text=The consent was recorded');
  assert.match(await page.textContent('.moj-identity-bar'), /Consent: given/);
  await page.click('button:text("Close the case")');
  await page.waitForSelector('.govuk-error-summary');
  await noViolations(page, 'case-closure-error');
  await page.check('input[name=reason][value=declined-service]');
  await page.click('button:text("Close the case")');
  await page.waitForSelector('text=The case was closed');
  assert.match(await page.textContent('.moj-identity-bar'), /Closed/);
  await page.fill('#reopen-why', 'Asked to come back to the service');
  await page.click('button:text("Reopen the case")');
  await page.waitForSelector('text=The case was reopened');
  await noViolations(page, 'case-reopened');
  await context.close();
});
