// Every role of every demo service, in Debian's chromium: each signs in and every page it can
// reach from its home page (a work list, a case and each of its sections, the printable
// summary, the referral form, the access log) has no accessibility violations (axe, WCAG 2.2
// AA tags), and a section its role may not see is refused rather than shown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { base, launch, noViolations, signedIn } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// The demo makes one user per role of each service, named <service>.<role>.
const servicesDir = join(import.meta.dirname, '..', '..', 'services');
const users = readdirSync(servicesDir)
  .filter((file) => file.endsWith('.toml'))
  .flatMap((file) => {
    const text = readFileSync(join(servicesDir, file), 'utf8');
    const service = text.match(/^\[service\][^[]*?^code = "([^"]+)"/m)[1];
    return [...text.matchAll(/^\[\[roles\]\]\s*\ncode = "([^"]+)"/gm)].map((m) => `${service}.${m[1]}`);
  });

test('the demo has a user for every role of the five services', () => {
  assert.ok(users.length >= 20, `${users.length} roles found`);
});

for (const username of users) {
  test(`${username}: every page reachable from the home page is accessible`, async () => {
    const { context, page } = await signedIn(browser, username);
    await noViolations(page, `role-${username}-home`);
    const referral = page.locator('a[href^="/referrals/new"]').first();
    if (await referral.count() > 0) {
      await page.goto(`${base}${await referral.getAttribute('href')}`);
      await noViolations(page, `role-${username}-referral`);
      await page.goto(`${base}/`);
    }
    if (await page.locator('a[href="/audit"]').count() > 0) {
      await page.goto(`${base}/audit`);
      await noViolations(page, `role-${username}-audit`);
      await page.goto(`${base}/`);
    }
    const list = page.locator('a[href^="/work-lists/"]').first();
    let caseLink = page.locator('table a[href^="/cases/"]').first();
    if (await list.count() > 0) {
      await page.goto(`${base}${await list.getAttribute('href')}`);
      await noViolations(page, `role-${username}-work-list`);
      if (await caseLink.count() === 0) caseLink = page.locator('table a[href^="/cases/"]').first();
    }
    if (await caseLink.count() > 0) {
      const href = (await caseLink.getAttribute('href')).split('/').slice(0, 3).join('/');
      for (const section of ['', '/tasks', '/record', '/documents', '/details', '/sharing', '/history', '/print']) {
        const response = await page.goto(`${base}${href}${section}`);
        if (section === '/history' && response.status() === 403) {
          assert.equal(await page.textContent('h1'), 'You cannot do this');
        } else {
          assert.equal(response.status(), 200, `${href}${section}`);
        }
        await noViolations(page, `role-${username}-case${section.replace('/', '-')}`);
      }
    }
    await context.close();
  });
}
