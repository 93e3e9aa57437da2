// Passkeys in a real browser: Chromium's virtual authenticator (DevTools WebAuthn domain) stands
// in for a phone or security key. A customer registers a passkey and logs in with it alone; a
// member of staff registers one while enrolling and confirms a later sign-in with it. The
// passkey pages are checked with axe-core (WCAG 2.1 A and AA).
//
// Configuration (environment only; both addresses must use a host name such as localhost, as
// WebAuthn refuses bare IP addresses):
//   BASE_URL, STAFF_URL       portal and staff console addresses
//   EMAIL, PASSWORD           an active customer
//   STAFF_USER, STAFF_PASSWORD  a member of staff without a second factor yet
//   CHROMIUM                  optional: browser executable (default /usr/bin/chromium)

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const env = (name) => {
  const value = (process.env[name] ?? '').trim();
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
};
const BASE = env('BASE_URL').replace(/\/+$/, '');
const STAFF = env('STAFF_URL').replace(/\/+$/, '');
const watchdog = setTimeout(() => { console.error('FAIL: took longer than 90 s'); process.exit(1); }, 90_000);

let step = 'start-up';
function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function audit(page, label) {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  check(violations.length === 0, `${label}: axe violations: ${violations.join('; ')}`);
}

async function expectPath(page, expected) {
  await page.waitForURL((u) => u.pathname === expected, { timeout: 15_000 });
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const context = await browser.newContext({ locale: 'ja-JP' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
      hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
    },
  });

  step = 'customer registers a passkey';
  await page.goto(`${BASE}/login`);
  await page.fill('#f-email', env('EMAIL'));
  await page.fill('#f-password', env('PASSWORD'));
  await page.click('form[action="/login"] button[type=submit]');
  await expectPath(page, '/dashboard');
  await page.goto(`${BASE}/profile/passkeys`);
  await audit(page, 'passkeys page');
  await page.click('button[data-passkey]');
  await expectPath(page, '/profile/passkeys');
  await page.waitForSelector('main .flash');
  check((await page.locator('#passkeys > li').count()) === 1, 'one passkey listed');
  await audit(page, 'passkeys page with a passkey');

  step = 'customer logs in with the passkey alone';
  await page.click('form[action="/logout"] button');
  await page.goto(`${BASE}/login`);
  await audit(page, 'login page');
  await page.click('button[data-passkey="get"]');
  await expectPath(page, '/dashboard');

  step = 'staff member enrols a passkey';
  await page.goto(`${STAFF}/staff/login`);
  await page.fill('#f-username', env('STAFF_USER'));
  await page.fill('#f-password', env('STAFF_PASSWORD'));
  await page.click('form[action="/staff/login"] button[type=submit]');
  await expectPath(page, '/staff/enrol');
  await audit(page, 'staff enrolment page');
  await page.click('button[data-passkey="create"]');
  await expectPath(page, '/staff');

  step = 'staff member confirms the next sign-in with the passkey';
  await page.click('form[action="/staff/logout"] button');
  await page.goto(`${STAFF}/staff/login`);
  await page.fill('#f-username', env('STAFF_USER'));
  await page.fill('#f-password', env('STAFF_PASSWORD'));
  await page.click('form[action="/staff/login"] button[type=submit]');
  await expectPath(page, '/staff/login/code');
  await audit(page, 'staff code page');
  await page.click('button[data-passkey="get"]');
  await expectPath(page, '/staff');

  await browser.close();
  clearTimeout(watchdog);
  console.log('passkeys passed');
}

main().catch((error) => {
  console.error(`FAIL [${step}] ${error.message}`);
  process.exit(1);
});
