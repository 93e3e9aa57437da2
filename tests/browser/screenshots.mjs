// Screenshots of every customer page (tests/browser/pages.mjs) in Japanese and English, at phone
// and desktop size, for a reviewer to look through: OUT_DIR/<lang>/<size>/<page>.png. Runs
// against a server started with `assetstatus serve --demo` (scripts/screenshots starts one),
// signed in as the demo customer where a page needs it. On the way it reports every page that
// scrolls sideways or holds a table wider than its container, and pages that do not exist yet.
//
// With `--staff`, the staff pages instead (STAFF_PAGES): signed in on the staff listener as the
// demo operator, then the demo administrator, with the password and authenticator secret the
// demo printed, into OUT_DIR/staff/<lang>/<size>/<page>.png. Each is also checked with axe-core
// (WCAG 2.1 A and AA); a staff page that scrolls sideways is a failure (its wide tables may
// scroll inside their own box).
//
// Configuration (environment):
//   BASE_URL   portal address, e.g. http://localhost:8090
//   STAFF_URL  with --staff: the staff listener, e.g. http://localhost:8091
//   DEMO_LOG   with --staff: the file holding what `serve --demo` printed
//   OUT_DIR    optional: where the screenshots go (default target/screenshots in the workspace)
//   CHROMIUM   optional: browser executable (default /usr/bin/chromium)
// Arguments: `--staff` for the staff pages; optional page names (see CUSTOMER_PAGES or
// STAFF_PAGES) to take only those.
//
// Exit code 0 when every page could be shown (layout problems and missing optional pages are
// reported, not failures; for staff pages sideways scrolling and axe violations are failures);
// 1 when a page could not be reached or answered unexpectedly.

import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
  demoStaffFromLog,
  selectStaffPages,
  staffSignIn,
  staffSignOut,
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

// ---------------------------------------------------------------- staff pages

const STAFF_URL = (process.env.STAFF_URL ?? '').trim().replace(/\/+$/, '');
const accessibility = [];
let axeSource = null;

// The axe-core violations (WCAG 2.0/2.1 A and AA) of the page as it is drawn now.
async function axeViolations(page) {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return result.violations.map(
      (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`,
    );
  });
}

// One staff page in every language and size, into OUT_DIR/staff/<lang>/<size>/<name>.png.
async function captureStaff(page, entry, path) {
  for (const lang of LANGS) {
    for (const viewport of VIEWPORTS) {
      const label = `${entry.name} (${lang}, ${viewport.name})`;
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      await page.goto(`${STAFF_URL}/lang/${lang}?next=${encodeURIComponent('/staff')}`, { waitUntil: 'load' });
      const response = await page.goto(`${STAFF_URL}${path}`, { waitUntil: 'load' });
      const status = response?.status() ?? 0;
      const landed = new URL(page.url());
      if (status !== 200) errors.push(`${label}: ${path} answered ${status}`);
      else if (landed.pathname + landed.search !== path) errors.push(`${label}: ${path} led to ${landed.pathname}`);
      if (!entry.fragment) {
        const docLang = await page.locator('html').getAttribute('lang');
        if (docLang !== lang) errors.push(`${label}: <html lang="${docLang}">, expected "${lang}"`);
        for (const problem of await layoutProblems(page, { scrollingTables: true })) errors.push(`${label}: ${problem}`);
        for (const problem of await layoutProblems(page)) layout.push(`${label}: ${problem}`);
        for (const v of await axeViolations(page)) accessibility.push(`${label}: ${v}`);
      }
      const dir = join(OUT_DIR, 'staff', lang, viewport.name);
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: join(dir, `${entry.name}.png`), fullPage: true });
      shots += 1;
    }
  }
}

// Every staff page (or those named), signed in as the account each needs.
async function mainStaff(names) {
  if (!STAFF_URL) throw new Error('STAFF_URL is not set (e.g. http://localhost:8081)');
  if (!process.env.DEMO_LOG) throw new Error('DEMO_LOG is not set (the file with what serve --demo printed)');
  const staff = demoStaffFromLog(readFileSync(process.env.DEMO_LOG, 'utf8'));
  const pages = selectStaffPages(names);
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
    context.setDefaultTimeout(NAVIGATION_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    const page = await context.newPage();
    page.on('pageerror', (err) => errors.push(`${page.url()}: page error: ${err.message}`));
    let signedIn = null;
    const lastStep = {};
    for (const entry of pages) {
      try {
        if (signedIn !== entry.as) {
          if (signedIn) await staffSignOut(page);
          signedIn = null;
          const username = staff[entry.as];
          lastStep[username] = await staffSignIn(
            page,
            STAFF_URL,
            { username, password: staff.password, secret: staff.secret },
            lastStep[username] ?? 0,
          );
          signedIn = entry.as;
        }
        const path = typeof entry.path === 'function' ? await entry.path(page, STAFF_URL) : entry.path;
        await captureStaff(page, entry, path);
        console.log(`ok       ${entry.name} (${path}, as ${staff[entry.as]})`);
      } catch (err) {
        errors.push(`${entry.name}: ${err.message}`);
        console.log(`FAILED   ${entry.name}`);
      }
    }
  } finally {
    await browser.close();
  }
}

const args = process.argv.slice(2);
if (args.includes('--staff')) {
  try {
    await mainStaff(args.filter((a) => a !== '--staff'));
  } catch (err) {
    errors.push(err.message);
  }
  console.log(`\n${shots} screenshot(s) in ${OUT_DIR}/staff/<lang>/<size>/<page>.png`);
  if (layout.length > 0) {
    console.log(`\nTables that scroll inside their own box (the page keeps its width):\n  ${layout.join('\n  ')}`);
  }
  if (accessibility.length > 0) {
    errors.push(`accessibility violations (axe-core):\n    ${accessibility.join('\n    ')}`);
  } else {
    console.log('\naxe-core found no violation of WCAG 2.1 A/AA on the staff pages.');
  }
  if (errors.length > 0) {
    console.error(`\nProblems:\n  ${errors.join('\n  ')}`);
    process.exit(1);
  }
  console.log('No staff page scrolls sideways.');
  process.exit(0);
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
