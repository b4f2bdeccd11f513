// The reports section in Debian's chromium: for a manager of each reference service, the
// index and every report it lists, checked with axe, read on a 320 px screen without
// sideways scrolling of the page, and a figure followed to the cases behind it.
// The server is started by scripts/browser-tests with the demo data; CASEWORK_URL says where.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { base, launch, noViolations, signedIn } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const managers = [
  ['recovery', 'recovery.service-manager'],
  ['deanery', 'deanery.deputy-dean'],
  ['child-survivor', 'child-survivor.supervisor'],
  ['ombudsman', 'ombudsman.assistant-ombudsman'],
  ['family-court', 'family-court.head-of-practice'],
];

for (const [service, username] of managers) {
  test(`a ${service} manager reads every report and follows a figure to its cases`, async () => {
    const { context, page } = await signedIn(browser, username);
    await page.goto(`${base}/`);
    await page.click(`a[href="/services/${service}/reports"]`);
    assert.equal(await page.textContent('h1'), 'Reports');
    await noViolations(page, `${service}-reports`);
    const reports = await page.$$eval('.cw-report-list a', (links) => links.map((a) => a.getAttribute('href')));
    assert.ok(reports.length > 0, 'the index lists reports');
    for (const report of reports) {
      const response = await page.goto(`${base}${report}`);
      assert.equal(response.status(), 200, report);
      const name = report.split('/').pop();
      await noViolations(page, `${service}-report-${name}`);
      // Each chart is an image with a name and a description, and has a data table.
      for (const chart of await page.$$('svg.cw-chart')) {
        assert.equal(await chart.getAttribute('role'), 'img');
        assert.ok((await chart.getAttribute('aria-labelledby')).split(' ').length === 2, `${report}: chart named and described`);
      }
      if (await page.locator('svg.cw-chart').count() > 0) {
        assert.ok(await page.locator('table caption').count() > 0, `${report}: the charts' figures are in captioned tables`);
      }
    }
    // A figure that links to cases opens the list of them.
    await page.goto(`${base}/services/${service}/reports/timeliness`);
    const figure = page.locator('td a.govuk-link').first();
    if (await figure.count() > 0) {
      const count = Number((await figure.textContent()).trim());
      await figure.click();
      await page.waitForSelector('h1');
      assert.equal(await page.locator('tbody tr').count(), count, 'the list has exactly the cases the figure counts');
      await noViolations(page, `${service}-report-cases`);
    }
    await context.close();
  });
}

test('the reports read on a 320 px screen, charts scaled and tables scrolled in their own region', async () => {
  const { context, page } = await signedIn(browser, 'recovery.service-manager', { viewport: { width: 320, height: 640 } });
  await page.goto(`${base}/services/recovery/reports/timeliness`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
  await noViolations(page, 'recovery-timeliness-320');
  await context.close();
});

test('a worker without reports is refused the reports section', async () => {
  const { context, page } = await signedIn(browser, 'recovery.recovery-practitioner');
  await page.goto(`${base}/`);
  assert.equal(await page.locator('a[href="/services/recovery/reports"]').count(), 0, 'no link to reports');
  const response = await page.goto(`${base}/services/recovery/reports`);
  assert.equal(response.status(), 403);
  await context.close();
});
