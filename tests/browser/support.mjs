// What every browser test file shares: where the demo server is, Debian's chromium, signing
// in through the sign-in page, and axe with the WCAG 2.2 AA tags (a screenshot of every page
// checked is kept as an artefact).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

export const base = process.env.CASEWORK_URL ?? 'http://127.0.0.1:8080';
export const password = 'demo-password-2026';
export const artefacts = process.env.CASEWORK_ARTEFACTS ?? join(tmpdir(), 'casework-browser');
mkdirSync(artefacts, { recursive: true });

export function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

export async function signedIn(browser, username, { viewport, secret = password } = {}) {
  const context = await browser.newContext(viewport ? { viewport } : {});
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await page.fill('#username', username);
  await page.fill('#password', secret);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/`);
  return { context, page };
}

export async function noViolations(page, name) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  await page.screenshot({ path: join(artefacts, `${name}.png`), fullPage: true });
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(summary, [], `${name} has accessibility violations`);
}
