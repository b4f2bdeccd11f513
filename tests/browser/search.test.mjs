// Full-text search in Debian's chromium: a caseworker searches from the home page for the
// case where the mother mentioned the allotment, finds it first with the words marked,
// follows the result to the case; the header leads to the search page; the empty search and
// the search that finds nothing explain themselves. Every page on the way is checked with axe.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { base, launch, noViolations, signedIn } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a caseworker searches notes from the home page and follows the best match to the case', async () => {
  const { context, page } = await signedIn(browser, 'child-survivor.caseworker');
  await page.fill('#home-search', 'mother allotment');
  await page.click('form[role=search] button:text("Search")');
  await page.waitForURL(/\/search\?q=mother\+allotment/);
  await page.waitForSelector('#results');
  await noViolations(page, 'search-results');
  const first = page.locator('.cw-search-result').first();
  assert.match(await first.locator('h3').innerText(), /Maisie Ellis/);
  assert.deepEqual((await first.locator('mark').allInnerTexts()).map((t) => t.toLowerCase()), ['mother', 'allotment']);
  assert.match(await first.innerText(), /Note/);
  await first.locator('h3 a').click();
  await page.waitForSelector('.moj-identity-bar');
  assert.match(await page.locator('.moj-identity-bar').innerText(), /Maisie/);
  await context.close();
});

test('the header leads to search; an empty search and one that finds nothing say so', async () => {
  const { context, page } = await signedIn(browser, 'child-survivor.caseworker');
  await page.click('.govuk-header a:text("Search cases")');
  await page.waitForURL(`${base}/search`);
  assert.equal(await page.textContent('label[for=q]'), 'Search cases');
  await noViolations(page, 'search');
  await page.click('main button:text("Search")');
  await page.waitForSelector('.govuk-error-summary');
  assert.equal(await page.textContent('.govuk-error-summary__list a'), 'Enter a word to search for');
  await noViolations(page, 'search-error');
  await page.fill('#q', 'kumquat*');
  await page.click('main button:text("Search")');
  await page.waitForSelector('#results');
  assert.equal(await page.textContent('#results'), 'No cases match');
  await noViolations(page, 'search-nothing-found');
  await context.close();
});

test('someone who may read no case is not offered search', async () => {
  const { context, page } = await signedIn(browser, 'child-survivor.admin');
  assert.equal(await page.locator('a[href="/search"], form[action="/search"]').count(), 0);
  const response = await page.goto(`${base}/search?q=allotment`);
  assert.equal(response.status(), 403);
  await context.close();
});
