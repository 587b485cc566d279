// shell.test.mjs -- what every page shares: URLs opened directly, the
// language switch, keyboard entry (skip link), the CSP, a session that
// died, a server that stopped answering, and the weight of the home page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, launch, newPage, reviewPage, loginAs, msg, fr, en, SHOTS, ROOT } from './lib.mjs';

let srv;
let browser;

before(async () => {
  srv = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

function nav(page, cat) {
  return page.getByRole('navigation', { name: msg(cat, 'nav.label') });
}

// Bytes that crossed the wire for the page as it stands (HTML, scripts,
// styles, API answers), from the browser's own resource timing.
async function transferred(page) {
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource');
    return {
      total: (nav ? nav.transferSize : 0) + res.reduce((n, r) => n + r.transferSize, 0),
      requests: 1 + res.length,
      files: res.map((r) => ({ url: new URL(r.name).pathname, bytes: r.transferSize })),
    };
  });
}

test('the home page: under 200 KB, reviewed at both widths, served with the CSP', async () => {
  const page = await newPage(browser);
  const res = await page.goto(`${srv.url}/`, { waitUntil: 'networkidle' });
  const csp = res.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  await page.getByRole('heading', { level: 1, name: msg(fr, 'home.title') }).waitFor();
  await page.getByRole('heading', { name: msg(fr, 'home.latest') }).waitFor();
  // The home page's lists come from the API, not from the HTML
  assert.ok(await page.locator('main .results li').count() > 0);
  const size = await transferred(page);
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.writeFileSync(path.join(SHOTS, 'home.transfer.json'), JSON.stringify(size, null, 2));
  assert.ok(size.total < 200 * 1024, `the home page weighs ${size.total} bytes`);
  // Neither the chart library nor the editor is fetched for it
  assert.ok(!size.files.some((f) => /uPlot|codemirror|workspace/i.test(f.url)), JSON.stringify(size.files));
  await reviewPage(page, 'home');
  await page.context().close();
});

test('a page URL opened directly is the portal; an unknown one says so', async () => {
  const page = await newPage(browser);
  await page.goto(`${srv.url}/connexion`);
  await page.getByRole('heading', { level: 1, name: msg(fr, 'login.title') }).waitFor();
  await reviewPage(page, 'login');
  await page.goto(`${srv.url}/nulle-part/ici`);
  await page.getByRole('heading', { level: 1, name: msg(fr, 'notfound.title') }).waitFor();
  await reviewPage(page, 'notfound');
  // A missing asset is still a 404 envelope, not the portal
  const r = await page.request.get(`${srv.url}/assets/nothing.js`, { headers: { Accept: 'text/html' } });
  assert.equal(r.status(), 404);
  assert.equal((await r.json()).error.code, 'not_found');
  await page.context().close();
});

test('English on demand, kept across pages and reloads', async () => {
  const page = await newPage(browser);
  await page.goto(`${srv.url}/`);
  await page.getByRole('button', { name: msg(fr, 'nav.lang_switch_label') }).click();
  await page.getByRole('heading', { level: 1, name: msg(en, 'home.title') }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await nav(page, en).getByRole('link', { name: msg(en, 'nav.data') }).click();
  await page.waitForURL(/\/donnees$/);
  await page.reload();
  await nav(page, en).getByRole('link', { name: msg(en, 'nav.home') }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.getByRole('button', { name: msg(en, 'nav.lang_switch_label') }).click();
  await nav(page, fr).getByRole('link', { name: msg(fr, 'nav.home') }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  await page.context().close();
});

test('the keyboard: the first Tab reaches the skip link, which leads to the content', async () => {
  const page = await newPage(browser);
  await page.goto(`${srv.url}/`);
  await page.getByRole('heading', { level: 1 }).waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'skip');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), msg(fr, 'nav.skip'));
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  const inMain = await page.evaluate(() => document.getElementById('main').contains(document.activeElement));
  assert.ok(inMain, 'after the skip link, Tab goes on inside the content');
  // Moving between pages puts the focus on the new page's title
  await nav(page, fr).getByRole('link', { name: msg(fr, 'nav.registry') }).click();
  await page.waitForURL(/\/registre$/);
  await page.waitForFunction(() => document.activeElement && document.activeElement.tagName === 'H1');
  await page.context().close();
});

test('a session that died: the page says so and offers to log in again', async () => {
  const page = await newPage(browser, { allowConsole: [/401/] });
  await loginAs(page, srv.url, 'editor');
  // The server forgets every session (as after an expiry)
  srv.cli(['user', 'disable', 'redaction']);
  await page.goto(`${srv.url}/registre`);
  await page.getByRole('link', { name: msg(fr, 'nav.login') }).waitFor();
  await page.context().close();
});

test('the server stops answering: a readable message, not a blank page', async () => {
  const other = await startServer();
  const page = await newPage(browser, { allowConsole: [/Failed to load resource|ERR_CONNECTION_REFUSED|Failed to fetch/] });
  await page.goto(`${other.url}/`);
  await page.getByRole('heading', { level: 1 }).waitFor();
  await other.stop();
  await nav(page, fr).getByRole('link', { name: msg(fr, 'nav.data') }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), new RegExp(msg(fr, 'error.unreachable').slice(0, 30)));
  // And it offers to try again
  await page.getByRole('button', { name: msg(fr, 'error.retry') }).waitFor();
  await page.context().close();
});

test('no page parses text as HTML: h() makes every string a text node', () => {
  // The one door for HTML is trustedHtml() in lib/dom.js (the server's
  // Markdown, filtered again); any other would let a sheet's or a
  // dataset's text run as markup.
  const src = path.join(ROOT, 'portal', 'src');
  const files = fs.readdirSync(src, { recursive: true }).filter((f) => f.endsWith('.js'));
  assert.ok(files.length > 10);
  const bad = [];
  for (const f of files) {
    const text = fs.readFileSync(path.join(src, f), 'utf8');
    for (const re of [/\.innerHTML\b/, /\.outerHTML\b/, /insertAdjacentHTML/, /document\.write/, /\beval\(/, /new Function\(/, /DOMParser/]) {
      if (re.test(text) && !(f === path.join('lib', 'dom.js') && re.source === 'DOMParser')) bad.push(`${f}: ${re.source}`);
    }
  }
  assert.deepEqual(bad, []);
});
