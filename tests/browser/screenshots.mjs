// Screenshots of every customer page (tests/browser/pages.mjs) in Japanese and English, at phone
// and desktop size, for a reviewer to look through: OUT_DIR/<lang>/<size>/<page>.png. Runs
// against a server started with `assetstatus serve --demo` (scripts/screenshots starts one),
// signed in as the demo customer where a page needs it. On the way it reports every page that
// scrolls sideways or holds a table wider than its container, and pages that do not exist yet.
//
// Configuration (environment):
//   BASE_URL   portal address, e.g. http://localhost:8090
//   OUT_DIR    optional: where the screenshots go (default target/screenshots in the workspace)
//   CHROMIUM   optional: browser executable (default /usr/bin/chromium)
// Arguments: optional page names (see CUSTOMER_PAGES) to take only those.
//
// Exit code 0 when every page could be shown (layout problems and missing optional pages are
// reported, not failures); 1 when a page could not be reached or answered unexpectedly.

import { mkdirSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  launchChromium,
  LANGS,
  VIEWPORTS,
  findAssetId,
  layoutProblems,
  pathOf,
  selectPages,
  sessionKeeper,
} from './pages.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const BASE_URL = (process.env.BASE_URL ?? '').trim().replace(/\/+$/, '');
const OUT_DIR = resolve((process.env.OUT_DIR ?? '').trim() || join(here, '../../target/screenshots'));
const NAVIGATION_TIMEOUT_MS = 30_000;

if (!BASE_URL) {
  console.error('BASE_URL is not set (e.g. http://localhost:8080)');
  process.exit(2);
}

const found = {};
const errors = [];
const layout = [];
const missing = [];
let shots = 0;
// One page in every language and size; false when it does not exist (optional pages only).
async function capture(page, entry) {
  const path = pathOf(entry, found);
  const expected = entry.status ?? 200;
  for (const lang of LANGS) {
    for (const viewport of VIEWPORTS) {
      const label = `${entry.name} (${lang}, ${viewport.name})`;
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      const response = await page.goto(`${BASE_URL}/lang/${lang}?next=${encodeURIComponent(path)}`, {
        waitUntil: 'load',
      });
      const status = response?.status() ?? 0;
      if (entry.optional && status === 404) return false;
      const landed = new URL(page.url());
      if (status !== expected) errors.push(`${label}: ${path} answered ${status}, expected ${expected}`);
      else if (landed.pathname + landed.search !== path) errors.push(`${label}: ${path} led to ${landed.pathname}`);
      const docLang = await page.locator('html').getAttribute('lang');
      if (docLang !== lang) errors.push(`${label}: <html lang="${docLang}">, expected "${lang}"`);
      for (const problem of await layoutProblems(page)) layout.push(`${label}: ${problem}`);
      const dir = join(OUT_DIR, lang, viewport.name);
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: join(dir, `${entry.name}.png`), fullPage: true });
      shots += 1;
    }
  }
  return true;
}

async function main() {
  const pages = selectPages(process.argv.slice(2));
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
    context.setDefaultTimeout(NAVIGATION_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    const page = await context.newPage();
    const reach = sessionKeeper(page, BASE_URL);
    page.on('pageerror', (err) => errors.push(`${page.url()}: page error: ${err.message}`));
    for (const entry of pages) {
      try {
        await reach(entry.access);
        if (typeof entry.path === 'function' && !found.assetId) {
          found.assetId = await findAssetId(page, BASE_URL);
        }
        if (entry.prepare) await entry.prepare(page, BASE_URL);
        const exists = await capture(page, entry);
        if (!exists) missing.push(`${entry.name} (${pathOf(entry, found)})`);
        console.log(`${exists ? 'ok     ' : 'missing'}  ${entry.name}`);
      } catch (err) {
        errors.push(`${entry.name}: ${err.message}`);
        console.log(`FAILED   ${entry.name}`);
      }
    }
  } finally {
    await browser.close();
  }
}

await main();
console.log(`\n${shots} screenshot(s) in ${OUT_DIR}/<lang>/<size>/<page>.png`);
if (missing.length > 0) console.log(`\nPages that do not exist yet (404):\n  ${missing.join('\n  ')}`);
if (layout.length > 0) {
  console.log(`\nPages wider than the window, or tables wider than their container:\n  ${layout.join('\n  ')}`);
} else {
  console.log('\nNo page scrolls sideways and every table fits its container.');
}
if (errors.length > 0) {
  console.error(`\nProblems:\n  ${errors.join('\n  ')}`);
  process.exit(1);
}
