// Lighthouse scores of every customer page (tests/browser/pages.mjs) with the mobile profile:
// performance, accessibility and best practices, each of which must be at least 95. Runs
// against a server started with `assetstatus serve --demo` (scripts/lighthouse starts one).
// Signed-in pages get the demo customer's cookies, taken from a sign-in in playwright-core and
// sent with `--extra-headers`; the pages run one after another, since the machines are small.
//
// Configuration (environment):
//   BASE_URL   portal address, e.g. http://localhost:8090
//   CHROMIUM   optional: browser executable (default /usr/bin/chromium)
// Arguments:
//   --no-fail      print the scores without failing on a low one
//   --lang ja|en   page language (default ja)
//   NAME…          only these pages (see CUSTOMER_PAGES)
//
// Prints a table page × score. Exit code 0 when every score is at least 95 (or --no-fail), 1
// otherwise or when a page could not be measured.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  CHROMIUM,
  CHROMIUM_ARGS,
  launchChromium,
  LANGS,
  findAssetId,
  pathOf,
  selectPages,
  sessionKeeper,
} from '../browser/pages.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const LIGHTHOUSE = join(here, 'node_modules/lighthouse/cli/index.js');
const CATEGORIES = ['performance', 'accessibility', 'best-practices'];
const MINIMUM = 95;
const PAGE_TIMEOUT_MS = 180_000;

function usage(message) {
  console.error(`${message}\nusage: scores.mjs [--no-fail] [--lang ja|en] [PAGE…]`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { fail: true, lang: 'ja', names: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-fail') options.fail = false;
    else if (arg === '--lang') options.lang = argv[++i];
    else if (arg.startsWith('--')) usage(`unknown option ${arg}`);
    else options.names.push(arg);
  }
  if (!LANGS.includes(options.lang)) usage(`--lang must be one of ${LANGS.join(', ')}`);
  return options;
}

const options = parseArgs(process.argv.slice(2));
const BASE_URL = (process.env.BASE_URL ?? '').trim().replace(/\/+$/, '');
if (!BASE_URL) usage('BASE_URL is not set (e.g. http://localhost:8080)');

// The browser's cookies for the portal as one Cookie header, the chosen language included.
async function cookieHeader(context) {
  const cookies = (await context.cookies(BASE_URL)).filter((c) => c.name !== 'lang');
  cookies.push({ name: 'lang', value: options.lang });
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

// One Lighthouse run; the scores (0–100) by category, or the error Lighthouse reported.
function measure(url, cookie) {
  const dir = mkdtempSync(join(tmpdir(), 'lighthouse-'));
  try {
    const report = join(dir, 'report.json');
    const run = spawnSync(
      process.execPath,
      [
        LIGHTHOUSE,
        url,
        '--quiet',
        '--form-factor=mobile',
        `--only-categories=${CATEGORIES.join(',')}`,
        `--chrome-flags=${CHROMIUM_ARGS.join(' ')}`,
        `--extra-headers=${JSON.stringify({ Cookie: cookie })}`,
        '--output=json',
        `--output-path=${report}`,
      ],
      { encoding: 'utf8', timeout: PAGE_TIMEOUT_MS, env: { ...process.env, CHROME_PATH: CHROMIUM } },
    );
    if (run.status !== 0) {
      return { error: `lighthouse exited ${run.status ?? run.signal}: ${(run.stderr || run.stdout).trim().slice(-400)}` };
    }
    const result = JSON.parse(readFileSync(report, 'utf8'));
    if (result.runtimeError) return { error: `${result.runtimeError.code}: ${result.runtimeError.message}` };
    const landed = new URL(result.finalDisplayedUrl);
    const wanted = new URL(url);
    if (landed.pathname + landed.search !== wanted.pathname + wanted.search) {
      return { error: `Lighthouse was sent on to ${landed.pathname}: the cookies did not sign it in` };
    }
    const scores = {};
    const failing = [];
    for (const category of CATEGORIES) {
      const score = result.categories[category]?.score;
      scores[category] = score === null || score === undefined ? null : Math.round(score * 100);
      if (scores[category] !== null && scores[category] < 100) {
        for (const ref of result.categories[category].auditRefs) {
          const audit = result.audits[ref.id];
          if (ref.weight > 0 && audit.score !== null && audit.score < 0.9) failing.push(`${category}: ${audit.title}`);
        }
      }
    }
    return { scores, failing };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function cell(value) {
  return String(value ?? '–').padStart(16);
}

async function main() {
  const pages = selectPages(options.names);
  const browser = await launchChromium();
  const rows = [];
  try {
    const context = await browser.newContext({ locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
    const page = await context.newPage();
    const reach = sessionKeeper(page, BASE_URL);
    const found = {};
    for (const entry of pages) {
      let row;
      try {
        await reach(entry.access);
        if (typeof entry.path === 'function' && !found.assetId) found.assetId = await findAssetId(page, BASE_URL);
        if (entry.prepare) await entry.prepare(page, BASE_URL);
        const path = pathOf(entry, found);
        const response = await page.goto(`${BASE_URL}${path}`, { waitUntil: 'load' });
        const status = response?.status() ?? 0;
        if (entry.optional && status === 404) row = { entry, note: 'missing (404)' };
        else if ((entry.status ?? 200) !== 200) row = { entry, note: `skipped: Lighthouse does not score ${status} pages` };
        else row = { entry, ...measure(`${BASE_URL}${path}`, await cookieHeader(context)) };
      } catch (err) {
        row = { entry, error: err.message };
      }
      rows.push(row);
      const shown = row.scores ? CATEGORIES.map((c) => row.scores[c]).join(' / ') : (row.note ?? 'error');
      console.error(`measured ${entry.name}: ${shown}`);
    }
  } finally {
    await browser.close();
  }
  return rows;
}

const rows = await main();
const width = Math.max(...rows.map((r) => r.entry.name.length), 4);
console.log(`\nLighthouse ${options.lang}, mobile; minimum ${MINIMUM}\n`);
console.log(`${'page'.padEnd(width)}${CATEGORIES.map(cell).join('')}`);
const problems = [];
for (const row of rows) {
  const name = row.entry.name.padEnd(width);
  if (row.scores) {
    console.log(`${name}${CATEGORIES.map((c) => cell(row.scores[c])).join('')}`);
    const low = CATEGORIES.filter((c) => row.scores[c] === null || row.scores[c] < MINIMUM);
    if (low.length > 0) problems.push(`${row.entry.name}: ${low.join(', ')} below ${MINIMUM}; ${row.failing.join('; ')}`);
  } else if (row.note) {
    console.log(`${name}  ${row.note}`);
  } else {
    console.log(`${name}  error`);
    problems.push(`${row.entry.name}: ${row.error}`);
  }
}
if (problems.length > 0) {
  console.log(`\nBelow ${MINIMUM} or not measured:\n  ${problems.join('\n  ')}`);
  if (options.fail) process.exit(1);
} else {
  console.log(`\nEvery measured score is at least ${MINIMUM}.`);
}
