// The customer pages and how to reach each one, shared by the screenshot script
// (tests/browser/screenshots.mjs), the Lighthouse script (tests/lighthouse/scores.mjs) and the
// journey (tests/browser/journey.mjs): the two window sizes every page must work at, the
// message catalogues the pages' texts come from, signing in, the layout check (no sideways
// scrolling, no table wider than its container) and RFC 6238 codes for the second step.
//
// Elements are found by role, label, form-field name or catalogue text, never by the layout's
// CSS structure, so a restyle of the portal does not break the scripts.

import { readFileSync, readdirSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { deflateSync, crc32 } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// The two sizes every customer page is checked at: a common phone and a laptop.
export const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
];

// The page languages, Japanese first.
export const LANGS = ['ja', 'en'];

// Debian's Chromium and the flags that keep it quiet and offline.
export const CHROMIUM = (process.env.CHROMIUM ?? '').trim() || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Headless Chromium through playwright-core (installed in tests/browser, which is why the
// Lighthouse script, whose folder has only Lighthouse, launches it from here).
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

// The demo customer of `assetstatus serve --demo` (crates/assetstatus/src/demo.rs): no second
// factor until `enableSecondStep` sets one up.
export const DEMO_CUSTOMER = {
  email: 'demo@example.jp',
  password: 'sakura-mochi-2026-demo',
  nameKana: 'ヤマダ タロウ',
};

// ---------------------------------------------------------------- message catalogues

// Every catalogue file of one language (single-line messages only), as a lookup that throws on
// a missing key, so a missing translation fails loudly.
export function loadCatalog(lang) {
  const dir = join(here, '../../web/locales', lang);
  const messages = new Map();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ftl'))) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      const m = /^([a-z][a-z0-9_-]*)\s*=\s*(.*)$/.exec(line);
      if (m) messages.set(m[1], m[2].trim());
    }
  }
  return (key) => {
    const text = messages.get(key);
    if (!text) throw new Error(`message ${key} missing from ${dir}`);
    return text;
  };
}

// ---------------------------------------------------------------- authenticator codes

// RFC 4648 base32 (upper case, padding optional), as authenticator apps take keys typed in.
export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = [];
  let bits = 0;
  let value = 0;
  for (const ch of text.replace(/[\s=]/g, '').toUpperCase()) {
    const digit = alphabet.indexOf(ch);
    if (digit < 0) throw new Error(`"${ch}" in the key "${text}" is not a base32 character`);
    value = ((value << 5) | digit) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

// The 30-second step of the Unix clock that a code is computed for.
export function totpStep(ms = Date.now()) {
  return Math.floor(ms / 1000 / 30);
}

// RFC 6238 (TOTP with HMAC-SHA-1, 6 digits): the code of `secret` for time step `counter`.
export function totp(secret, counter) {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', secret).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(number % 1_000_000).padStart(6, '0');
}

// ---------------------------------------------------------------- layout

// WCAG 1.4.10 (reflow), which axe does not test: what is wrong with the page's width as it is
// drawn now. Empty when the document fits the window and every visible table fits the element
// it sits in (a table scrolling inside its own box still hides columns on a phone). Staff pages
// pass `{ scrollingTables: true }`: their wide tables may scroll inside their own box
// (`overflow-x: auto`), but the page itself must never scroll sideways.
export async function layoutProblems(page, { scrollingTables = false } = {}) {
  return page.evaluate((scrollingTables) => {
    const problems = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth) {
      problems.push(`the page is ${doc.scrollWidth} px wide in a ${window.innerWidth} px window`);
    }
    for (const table of document.querySelectorAll('table')) {
      const box = table.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      const container = table.parentElement;
      const overflow = getComputedStyle(container).overflowX;
      if (scrollingTables && (overflow === 'auto' || overflow === 'scroll')) continue;
      const room = container.clientWidth;
      const width = Math.max(Math.ceil(box.width), table.scrollWidth);
      if (width > room + 1) {
        const caption = table.caption?.textContent.trim()
          || table.querySelector('th')?.textContent.trim()
          || '(no caption)';
        problems.push(`the table "${caption.slice(0, 40)}" is ${width} px wide in a ${room} px container`);
      }
    }
    return problems;
  }, scrollingTables);
}

// ---------------------------------------------------------------- signing in

// Clicks a submit button and waits until the resulting document has loaded.
export async function submitAndWait(page, button) {
  await Promise.all([page.waitForEvent('load'), button.click()]);
}

// The submit button of the form posting to `action` that the layout shows (forms are found by
// the address they post to, which holds in every language and layout).
function submitButton(page, action) {
  return page.locator(`form[action="${action}"] button[type=submit]`).filter({ visible: true }).first();
}

// Signs in on `/login` with e-mail address and password; the path the browser lands on
// (`/dashboard`, or `/login/code` when a second step is due).
export async function signIn(page, base, { email, password }) {
  await page.goto(`${base}/login`, { waitUntil: 'load' });
  await page.locator('main input[name=email]').fill(email);
  await page.locator('main input[name=password]').fill(password);
  await submitAndWait(page, submitButton(page, '/login'));
  return new URL(page.url()).pathname;
}

// Signs out with the navigation's log-out button (whichever copy the layout shows).
export async function signOut(page) {
  await submitAndWait(page, submitButton(page, '/logout'));
}

// Sets up the authenticator on `/profile/two-step` with the key the page shows; the decoded
// secret and the time step of the code used, so a later sign-in can use a later code.
export async function enableSecondStep(page, base) {
  await page.goto(`${base}/profile/two-step`, { waitUntil: 'load' });
  const key = (await page.getByRole('main').locator('code').first().innerText()).trim();
  const secret = base32Decode(key);
  const usedStep = totpStep();
  await page.locator('main input[name=code]').fill(totp(secret, usedStep));
  await submitAndWait(page, submitButton(page, '/profile/two-step/confirm'));
  // The confirmation shows the recovery codes; the settings page later offers turning it off.
  const confirmed =
    (await page.locator('#recovery-codes').count()) +
    (await page.locator('form[action="/profile/two-step/disable"]').count());
  if (confirmed === 0) throw new Error('the authenticator code was refused on /profile/two-step');
  return { secret, usedStep };
}

// The ID of one of the signed-in customer's holdings, read from the links on `/assets`.
export async function findAssetId(page, base) {
  await page.goto(`${base}/assets`, { waitUntil: 'load' });
  const hrefs = await page.getByRole('main').getByRole('link').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  for (const href of hrefs) {
    const m = /^\/assets\/([^/?#]+)(?:\/(?:edit|delete))?$/.exec(href);
    if (m && !['new', 'import', 'export'].includes(m[1])) return m[1];
  }
  throw new Error(`no holding linked from /assets (links: ${hrefs.join(', ')})`);
}

// Brings one browser page to the sign-in state a customer page needs (`access` of
// CUSTOMER_PAGES) as the demo customer: signed out, signed in, or a sign-in waiting for its
// code (which sets up the authenticator first, so it comes last).
export function sessionKeeper(page, base) {
  let state = 'public';
  return async function reach(access) {
    if (access === state) return;
    if (access === 'public') {
      await signOut(page);
    } else if (access === 'customer') {
      if (state === 'second-step') throw new Error('customer pages must come before the second step');
      const landed = await signIn(page, base, DEMO_CUSTOMER);
      if (landed !== '/dashboard') throw new Error(`signing in led to ${landed}, not /dashboard`);
    } else if (access === 'second-step') {
      if (state === 'public') await signIn(page, base, DEMO_CUSTOMER);
      await enableSecondStep(page, base);
      await signOut(page);
      const landed = await signIn(page, base, DEMO_CUSTOMER);
      if (landed !== '/login/code') throw new Error(`signing in with a second factor led to ${landed}, not /login/code`);
    } else {
      throw new Error(`unknown access ${access}`);
    }
    state = access;
  };
}

// ---------------------------------------------------------------- application set-up

// A small PNG (a blue band over a pale card) to upload as an identity document.
export function documentPng(width = 320, height = 200) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      const band = y < 36 || (x > 20 && x < 100 && y > 55 && y < 165);
      const [r, g, b] = band ? [24, 96, 160] : [236, 242, 236];
      raw[row + 1 + x * 3] = r;
      raw[row + 2 + x * 3] = g;
      raw[row + 3 + x * 3] = b;
    }
  }
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per sample
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Fills in the application's bank account (the holder's kana matches the demo customer's).
async function saveApplicationAccount(page, base) {
  await page.goto(`${base}/application/account`, { waitUntil: 'load' });
  await page.locator('main input[name=branch]').fill('123');
  await page.locator('main input[name=account_type][value=ordinary]').check();
  await page.locator('main input[name=number]').fill('0123456');
  await page.locator('main input[name=holder]').fill(DEMO_CUSTOMER.nameKana);
  await submitAndWait(page, submitButton(page, '/application/account'));
  const path = new URL(page.url()).pathname;
  if (path !== '/application/documents') throw new Error(`saving the application's account led to ${path}`);
}

// Uploads the front of an identity document to the application.
async function uploadApplicationDocument(page, base) {
  await page.goto(`${base}/application/documents`, { waitUntil: 'load' });
  const form = page.locator('main form', { has: page.locator('input[name=side][value=front]') });
  await form.locator('input[name=file]').setInputFiles({
    name: 'licence-front.png',
    mimeType: 'image/png',
    buffer: documentPng(),
  });
  await submitAndWait(page, form.locator('button[type=submit]'));
  const next = await page.getByRole('main').locator('a[href="/application/review"]').count();
  if (next === 0) throw new Error('after uploading the document there is no way on to the review');
}

// ---------------------------------------------------------------- the pages

// Every customer page, in an order that reaches each one: public pages, then the signed-in
// customer's (the application pages after the set-up they need), then the second step of a
// sign-in, which needs the authenticator `enableSecondStep` sets up.
//
// - `access`: `public`, `customer` (signed in) or `second-step` (a sign-in waiting for its code)
// - `path`: the address, or a function of `{ assetId }`
// - `status`: the expected HTTP status (200 unless stated)
// - `optional`: a page that may not exist yet; a 404 is reported as missing, not as a failure
// - `prepare`: what must happen once before the page can be shown, given `(page, base)`
export const CUSTOMER_PAGES = [
  { name: 'home', path: '/', access: 'public' },
  { name: 'signup', path: '/signup', access: 'public' },
  { name: 'signup-sent', path: '/signup/sent', access: 'public' },
  { name: 'login', path: '/login', access: 'public' },
  { name: 'password-forgot', path: '/password/forgot', access: 'public' },
  { name: 'not-found', path: '/no/such/page', access: 'public', status: 404 },
  { name: 'dashboard', path: '/dashboard', access: 'customer' },
  { name: 'dashboard-day', path: '/dashboard?view=day', access: 'customer' },
  { name: 'dashboard-year', path: '/dashboard?view=year', access: 'customer' },
  { name: 'assets', path: '/assets', access: 'customer' },
  { name: 'asset-new', path: '/assets/new', access: 'customer' },
  { name: 'asset', path: ({ assetId }) => `/assets/${assetId}`, access: 'customer', optional: true },
  { name: 'asset-edit', path: ({ assetId }) => `/assets/${assetId}/edit`, access: 'customer' },
  { name: 'asset-delete', path: ({ assetId }) => `/assets/${assetId}/delete`, access: 'customer' },
  { name: 'asset-import', path: '/assets/import', access: 'customer' },
  { name: 'accounts', path: '/accounts', access: 'customer' },
  { name: 'application', path: '/application', access: 'customer' },
  { name: 'application-account', path: '/application/account', access: 'customer' },
  {
    name: 'application-documents',
    path: '/application/documents',
    access: 'customer',
    prepare: saveApplicationAccount,
  },
  {
    name: 'application-review',
    path: '/application/review',
    access: 'customer',
    prepare: async (page, base) => {
      await saveApplicationAccount(page, base);
      await uploadApplicationDocument(page, base);
    },
  },
  { name: 'profile', path: '/profile', access: 'customer' },
  { name: 'profile-sessions', path: '/profile/sessions', access: 'customer' },
  { name: 'profile-two-step', path: '/profile/two-step', access: 'customer' },
  { name: 'profile-passkeys', path: '/profile/passkeys', access: 'customer' },
  { name: 'account-delete', path: '/account/delete', access: 'customer' },
  { name: 'login-code', path: '/login/code', access: 'second-step' },
  { name: 'reauth', path: '/reauth?next=%2Fprofile%2Ftwo-step', access: 'customer' },
  {
    name: 'security-link-invalid',
    path: '/security/not-me/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    access: 'public',
    status: 410,
  },
];

// The address of `entry` given what the run has found out (`{ assetId }`).
export function pathOf(entry, found) {
  return typeof entry.path === 'function' ? entry.path(found) : entry.path;
}

// The pages picked by name on the command line (all when `names` is empty); throws on an
// unknown name.
export function selectPages(names) {
  if (names.length === 0) return CUSTOMER_PAGES;
  const known = new Set(CUSTOMER_PAGES.map((p) => p.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new Error(`unknown page(s): ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  }
  return CUSTOMER_PAGES.filter((p) => names.includes(p.name));
}

// ---------------------------------------------------------------- staff pages

// The demo staff's logins as `assetstatus serve --demo` prints them (crates/assetstatus/src/cli.rs):
// `{ operator, admin, password, secret }`, the secret decoded from base32.
export function demoStaffFromLog(log) {
  const names = /demo staff\s*:\s*(\S+) \(operator\), (\S+) \(admin\)\s*\/\s*password: (\S+)/.exec(log);
  const key = /authenticator secret \(TOTP, base32\): ([A-Z2-7=]+)/.exec(log);
  if (!names || !key) throw new Error('the demo server did not print the demo staff logins');
  return { operator: names[1], admin: names[2], password: names[3], secret: base32Decode(key[1]) };
}

// Signs in on the staff listener with user name, password and the authenticator code of a
// time step after `lastStep` (the server accepts each step once per account); the step used.
// Throws when the browser does not land on `/staff`.
export async function staffSignIn(page, base, { username, password, secret }, lastStep = 0) {
  await page.goto(`${base}/staff/login`, { waitUntil: 'load' });
  await page.locator('main input[name=username]').fill(username);
  await page.locator('main input[name=password]').fill(password);
  await submitAndWait(page, submitButton(page, '/staff/login'));
  let path = new URL(page.url()).pathname;
  if (path !== '/staff/login/code') throw new Error(`signing in as ${username} led to ${path}, not /staff/login/code`);
  let step = Math.max(totpStep(), lastStep + 1);
  while (step > totpStep() + 1) await new Promise((r) => setTimeout(r, 1000));
  await page.locator('main input[name=code]').fill(totp(secret, step));
  await submitAndWait(page, submitButton(page, '/staff/login/code'));
  path = new URL(page.url()).pathname;
  if (path !== '/staff') throw new Error(`the code of ${username} led to ${path}, not /staff`);
  return step;
}

// Signs out of the staff listener.
export async function staffSignOut(page) {
  await submitAndWait(page, submitButton(page, '/staff/logout'));
}

// The address of the first link in `main` whose address matches `pattern`, read from `from`.
async function firstLink(page, base, from, pattern) {
  await page.goto(`${base}${from}`, { waitUntil: 'load' });
  const hrefs = await page.getByRole('main').locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  const href = hrefs.find((h) => pattern.test(h));
  if (!href) throw new Error(`no link like ${pattern} on ${from} (links: ${hrefs.slice(0, 20).join(', ')})`);
  return href;
}

// Every staff page, operator's first (their work is then in the audit trail the administrator
// reads), then the administrator's. `as`: which demo account shows it; `path`: the address or a
// function `(page, base)` that finds it; `fragment`: a part of a page (no <html lang>).
export const STAFF_PAGES = [
  { name: 'staff-home-operator', path: '/staff', as: 'operator' },
  { name: 'usage', path: '/staff/usage', as: 'operator' },
  { name: 'applications', path: '/staff/applications', as: 'operator' },
  {
    name: 'review',
    as: 'operator',
    path: (page, base) => firstLink(page, base, '/staff/applications', /^\/staff\/applications\/[0-9a-f-]{36}$/),
  },
  { name: 'customers', path: '/staff/customers', as: 'operator' },
  {
    name: 'customer',
    as: 'operator',
    path: (page, base) => firstLink(page, base, '/staff/customers', /^\/staff\/customers\/(?!export)[^/?#]+$/),
  },
  { name: 'staff-home-admin', path: '/staff', as: 'admin' },
  { name: 'ops', path: '/ops', as: 'admin' },
  { name: 'ops-week', path: '/ops?range=7d', as: 'admin' },
  { name: 'ops-alerts', path: '/ops/alerts', as: 'admin' },
  { name: 'ops-audit', path: '/ops/audit', as: 'admin' },
  { name: 'ops-logs', path: '/ops/logs', as: 'admin' },
  { name: 'ops-backups', path: '/ops/backups', as: 'admin' },
  { name: 'ops-live', path: '/ops/live', as: 'admin', fragment: true },
];

// The staff pages picked by name (all when `names` is empty); throws on an unknown name.
export function selectStaffPages(names) {
  if (names.length === 0) return STAFF_PAGES;
  const known = new Set(STAFF_PAGES.map((p) => p.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new Error(`unknown staff page(s): ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  }
  return STAFF_PAGES.filter((p) => names.includes(p.name));
}
