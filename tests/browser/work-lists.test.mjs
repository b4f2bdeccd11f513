// Work lists in Debian's chromium: a recovery service manager filters, sorts and pages a
// work list, allocates two cases at once and one case from its allocation page, with axe
// (WCAG 2.2 AA tags) on every page. Started by scripts/browser-tests like pages.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { base, launch, noViolations, signedIn as signInWith } from './support.mjs';

const lists = ['waiting-list', 'awaiting-allocation', 'release-due', 'illicit-use', 'due-for-review'];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });
const signedIn = (username, viewport) => signInWith(browser, username, { viewport });

async function fullestList(page) {
  let best = null;
  for (const list of lists) {
    await page.goto(`${base}/work-lists/recovery/${list}`);
    const total = Number.parseInt(await page.textContent('#results'), 10);
    if (!best || total > best.total) best = { path: `/work-lists/recovery/${list}`, total };
  }
  return best;
}

const people = (page) => page.locator('tbody tr td:nth-child(3)').allTextContents();

test('a service manager filters, sorts, pages and allocates from a work list', async () => {
  const { context, page } = await signedIn('recovery.service-manager');
  const list = await fullestList(page);
  assert.ok(list.total >= 3, `a demo work list has at least three cases (${list.total})`);
  await page.goto(`${base}${list.path}`);
  assert.equal(await page.locator('tbody tr').count(), list.total);
  await noViolations(page, 'work-list');

  // Filter by the reference of the first case: only it is left.
  const reference = (await page.locator('tbody tr td:nth-child(2) a').first().textContent()).trim();
  await page.fill('#text', reference);
  await page.click('text=Apply filters');
  await page.waitForURL(/text=/);
  assert.equal(await page.locator('tbody tr').count(), 1);
  assert.equal(await page.textContent('#results'), '1 case');
  await noViolations(page, 'work-list-filtered');
  await page.click('text=Clear filters');
  await page.waitForURL(`${base}${list.path}`);

  // Sort by person, both ways: the server gives one order and its exact reverse.
  await page.click('th a:text("Person")');
  await page.waitForURL(/sort=person&order=asc/);
  assert.match(await page.textContent('th[aria-sort=ascending]'), /Person/);
  const ascending = await people(page);
  await noViolations(page, 'work-list-sorted');
  await page.click('th a:text("Person")');
  await page.waitForURL(/sort=person&order=desc/);
  assert.match(await page.textContent('th[aria-sort=descending]'), /Person/);
  assert.deepEqual(await people(page), [...ascending].reverse());

  // Two cases a page: the second page holds the third and fourth.
  await page.goto(`${base}${list.path}?sort=person&order=asc&per_page=2`);
  assert.equal(await page.locator('.govuk-pagination__item').count() >= 2, true);
  await page.click('.govuk-pagination__next a');
  await page.waitForURL(/page=2/);
  assert.equal(await page.textContent('[aria-current=page]'), '2');
  assert.deepEqual(await people(page), ascending.slice(2, 4));
  await noViolations(page, 'work-list-page-2');

  // Allocating with nothing chosen explains what to do.
  await page.goto(`${base}${list.path}`);
  await page.click('button:text-is("Allocate selected cases")');
  await page.waitForSelector('.govuk-error-summary');
  await noViolations(page, 'work-list-allocation-errors');

  // Two cases to a worker who holds neither, leaving the practitioner's own caseload (which
  // the other browser tests use) as it is.
  const keep = 'Sarah Kinsella';
  const rows = page.locator('tbody tr');
  const picked = [];
  for (let i = 0; i < await rows.count() && picked.length < 2; i += 1) {
    const holder = (await rows.nth(i).locator('td:nth-child(7)').textContent()).trim();
    const href = await rows.nth(i).locator('td:nth-child(2) a').getAttribute('href');
    if (holder !== keep) picked.push({ index: i + 1, holder, href });
  }
  assert.equal(picked.length, 2, 'two cases that the practitioner does not hold');
  const name = (label) => label.trim().replace(/ \(\d+ open cases?\)$/, '');
  const caseload = (label) => Number.parseInt(label.match(/\((\d+) open/)[1], 10);
  const offered = (await page.locator('#allocate-to option').allTextContents()).slice(1);
  const target = offered.find((o) => name(o) !== keep && !picked.some((p) => p.holder === name(o)));
  assert.ok(target, 'a worker to allocate to');
  for (const p of picked) await page.check(`#case-${p.index}`);
  await page.selectOption('#allocate-to', { label: target.trim() });
  await page.click('button:text-is("Allocate selected cases")');
  await page.waitForSelector('.govuk-notification-banner--success');
  assert.match(await page.textContent('.govuk-notification-banner--success'), /2 cases allocated/);
  await noViolations(page, 'work-list-allocated');
  const now = (await page.locator('#allocate-to option').allTextContents()).find((o) => name(o) === name(target));
  assert.equal(caseload(now), caseload(target) + 2, `${name(target)} holds two more open cases`);

  // One case from its own allocation page, to the same worker.
  await page.goto(`${base}${picked[0].href}`);
  await page.waitForSelector('.moj-identity-bar');
  await page.click('.moj-identity-bar a:has-text("change")');
  await page.waitForSelector('h1:text("Allocate the case")');
  assert.ok(await page.locator('td:text-matches("open cases?$")').count() > 0, 'each worker\'s open caseload is shown');
  await noViolations(page, 'allocation');
  await page.getByLabel(name(target), { exact: true }).check();
  await page.click('button:text-is("Allocate")');
  await page.waitForSelector('.moj-identity-bar');
  assert.match(await page.textContent('.moj-identity-bar'), new RegExp(name(target)));
  await context.close();
});

test('a work list and the allocation page fit a 320 pixel wide screen', async () => {
  const { context, page } = await signedIn('recovery.service-manager', { width: 320, height: 640 });
  const list = await fullestList(page);
  await page.goto(`${base}${list.path}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the work list scrolls sideways by ${overflow}px`);
  await page.locator('tbody tr td:nth-child(2) a').first().click();
  await page.waitForSelector('.moj-identity-bar');
  await page.goto(`${page.url()}/allocation`);
  const again = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(again <= 0, `the allocation page scrolls sideways by ${again}px`);
  await context.close();
});
