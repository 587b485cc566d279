// lib.mjs -- what every browser test shares: a real consometer server on
// an ephemeral loopback port with its own store (the demo loaded, the
// portal built in portal/www), accounts for each role, Debian's chromium
// driven by playwright-core, a screenshot at desktop and phone widths, and
// axe-core's accessibility check. Each test file starts its own server.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '../..');
export const BIN = process.env.CONSOMETER_BIN || path.join(ROOT, 'build', 'consometer');
export const SHOTS = process.env.CM_SHOTS || path.join(ROOT, 'tests', 'out', 'screenshots');
export const PASSWORD = 'correct horse battery';
export const USERS = {
  // Lorient Agglomération's editor: may edit the demo's Lorient sheets.
  editor: { name: 'redaction', role: 'editor', territories: '200042174' },
  moderator: { name: 'moderation', role: 'moderator' },
  team: { name: 'equipe-bleue', role: 'team' },
};
export const fr = loadCatalog('fr');
export const en = loadCatalog('en');

// The merged message catalog of a language, as the build merges it: the
// tests find buttons and labels by the words the portal shows.
function loadCatalog(lang) {
  const dir = path.join(ROOT, 'portal', 'src', 'i18n', lang);
  const out = {};
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    Object.assign(out, JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
  }
  return out;
}

// t(fr, 'key', {n: 1}) as the portal renders it.
export function msg(cat, key, params) {
  assert.ok(key in cat, `no message ${key}`);
  return cat[key].replace(/\{(\w+)\}/g, (m, k) => (params && k in params ? String(params[k]) : m));
}

function run(args, env, input) {
  return execFileSync(BIN, args, { env, input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
}

// The demo takes seconds to load (it publishes every dataset): it is
// loaded once per build of the server into a template store, which each
// test copies. A template is made under a temporary name, then renamed,
// so test files running side by side never see half of one.
function template(env) {
  const stamp = fs.statSync(BIN).mtimeMs.toString(36);
  const dir = path.join(os.tmpdir(), `cm-browser-template-${path.basename(path.dirname(BIN))}-${stamp}`);
  if (fs.existsSync(dir)) return dir;
  const tmp = fs.mkdtempSync(`${dir}.tmp-`);
  const e = { ...env, CONSOMETER_STORE_DATA_DIR: tmp };
  run(['migrate'], e);
  run(['demo'], e);
  for (const u of Object.values(USERS)) {
    const terr = u.territories ? ['--territories', u.territories] : [];
    run(['user', 'add', '--role', u.role, ...terr, '--password-stdin', u.name], e, `${PASSWORD}\n`);
  }
  try {
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true }); // Another file made it first
  }
  return dir;
}

// Starts a server with the demo loaded and one account per role.
// Returns {url, port, dir, env, stop(), log()}.
export async function startServer(opts = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cm-browser-'));
  const env = {
    ...process.env,
    CONSOMETER_STORE_DATA_DIR: path.join(dir, 'data'),
    CONSOMETER_PORTAL_DIR: process.env.CM_PORTAL_WWW || path.join(ROOT, 'portal', 'www'),
    CONSOMETER_DEMO_DIR: path.join(ROOT, 'datasets', 'demo'),
    ...(opts.env || {}),
  };
  assert.ok(fs.existsSync(path.join(env.CONSOMETER_PORTAL_DIR, 'index.html')), 'portal/www is not built: node portal/build.mjs');
  fs.cpSync(template(env), env.CONSOMETER_STORE_DATA_DIR, { recursive: true });
  const logFile = path.join(dir, 'serve.log');
  const logFd = fs.openSync(logFile, 'w');
  const child = spawn(BIN, ['serve', '--port', '0', ...(opts.args || [])], { env, stdio: ['ignore', logFd, logFd] });
  let port = null;
  for (let i = 0; i < 200 && port === null; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const m = fs.readFileSync(logFile, 'utf8').match(/serving http:\/\/127\.0\.0\.1:(\d+)/);
    if (m) port = Number(m[1]);
    if (child.exitCode !== null) break;
  }
  assert.ok(port, `the server did not start: ${fs.readFileSync(logFile, 'utf8')}`);
  const exited = new Promise((r) => child.once('exit', (code, sig) => r({ code, sig })));
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    env,
    cli: (args, input) => run(args, env, input),
    log: () => fs.readFileSync(logFile, 'utf8'),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const r = await exited;
      fs.closeSync(logFd);
      // A sanitizer's report, or a crash, fails the test that caused it.
      const log = fs.readFileSync(logFile, 'utf8');
      assert.ok(!/AddressSanitizer|runtime error:|LeakSanitizer/.test(log), `the server's log holds a sanitizer report:\n${log.slice(-4000)}`);
      assert.ok(r.code === 0, `the server exited with ${r.code} ${r.sig || ''}:\n${log.slice(-2000)}`);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

// A page that records what should never happen: a script error, a
// Content-Security-Policy refusal, a console error the test did not expect.
// page.problems() lists them; expectClean(page) fails on any.
export async function newPage(browser, opts = {}) {
  const context = await browser.newContext({ viewport: opts.viewport || DESKTOP, acceptDownloads: true, locale: 'fr-FR' });
  const page = await context.newPage();
  const problems = [];
  const allowed = opts.allowConsole || [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    // A failed API call shows as a console error by the browser itself
    // (e.g. a 404 the page then explains): tests that expect one allow it.
    if (allowed.some((re) => re.test(text))) return;
    problems.push(`console.error: ${text}`);
  });
  page.problems = () => problems;
  return page;
}

export function expectClean(page) {
  assert.deepEqual(page.problems(), [], 'the page had script errors or CSP refusals');
}

const axeSource = fs.readFileSync(path.join(here, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

// axe-core on the page as it is now (WCAG 2.1 A and AA rules, and axe's
// best practices, reported only). Fails the test on any serious or
// critical WCAG violation; writes everything to NAME.axe.json.
export async function axeCheck(page, name) {
  // Through the debugging protocol, not a <script>: the page's CSP stays on.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const brief = (list) => list.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    const wcag = (v) => v.tags.some((tag) => /^wcag2/.test(tag));
    return {
      violations: brief(r.violations.filter(wcag)),
      best_practice: brief(r.violations.filter((v) => !wcag(v))),
      needs_review: brief(r.incomplete),
    };
  });
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  fs.mkdirSync(SHOTS, { recursive: true });
  // Everything axe said, for review: WCAG violations of any impact, the
  // best practices it checks beyond WCAG, and what it could not decide.
  fs.writeFileSync(path.join(SHOTS, `${name}.axe.json`), JSON.stringify(result, null, 2));
  assert.deepEqual(bad, [], `axe-core: serious violations on ${name}`);
  return result;
}

// Screenshots of the page as it is, at desktop then phone width, into
// tests/out/screenshots/NAME-desktop.png and NAME-phone.png.
export async function shoot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const size = page.viewportSize();
  // Charts and gallery cards are drawn when they come near the screen:
  // pass over the whole page once, so that the pictures show them.
  await page.evaluate(async () => {
    const y = window.scrollY;
    for (let top = 0; top < document.documentElement.scrollHeight; top += window.innerHeight) {
      window.scrollTo(0, top);
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 30)));
    }
    window.scrollTo(0, y);
  });
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: path.join(SHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(50);
  await page.screenshot({ path: path.join(SHOTS, `${name}-phone.png`), fullPage: true });
  // Nothing may stick out sideways on a phone (WCAG 1.4.10 reflow).
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${name}: the page is ${overflow}px wider than a phone screen`);
  await page.setViewportSize(size);
}

// Screenshot, axe-core and the clean-page check for one page.
export async function reviewPage(page, name) {
  await shoot(page, name);
  await axeCheck(page, name);
  expectClean(page);
}

// Logs in through the portal's own form.
export async function loginAs(page, base, who) {
  const u = USERS[who];
  await page.goto(`${base}/connexion`);
  await page.getByLabel(msg(fr, 'login.name')).fill(u.name);
  await page.getByLabel(msg(fr, 'login.password')).fill(PASSWORD);
  await page.getByRole('button', { name: msg(fr, 'login.submit') }).click();
  await page.getByRole('button', { name: msg(fr, 'nav.logout') }).waitFor();
}
