// portal.mjs -- the measuring half of portal.sh (which see): node
// portal.mjs CONSOMETER_URL NGINX_URL. Prints one table.
import { chromium } from '../browser/node_modules/playwright-core/index.mjs';

const [cm, ngx] = process.argv.slice(2);
const RUNS = Number(process.env.RUNS || 7);
const PASSWORD = 'correct horse battery';

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

async function session(base, who) {
  if (!who) return [];
  const ctx = await browser.newContext();
  const r = await ctx.request.post(`${base}/api/v1/auth/login`, { data: { name: who, password: PASSWORD } });
  if (!r.ok()) throw new Error(`login ${who}: ${r.status()}`);
  const cookies = await ctx.cookies();
  await ctx.close();
  return cookies;
}

// One cold load: a new context (empty cache), the page's session cookie,
// sessionStorage's flag that a session exists. Ready = the h1 drawn and no
// element still marked as loading.
async function load(base, path, who, replay) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const cookies = await session(base, who);
  if (cookies.length) {
    await ctx.addCookies(cookies);
    await ctx.addInitScript(() => sessionStorage.setItem('cm.session', '1'));
  }
  // The page notes the moment it is ready itself, polling every 5 ms: a
  // wait from outside would add its own polling and round trip.
  await ctx.addInitScript(() => {
    const t = setInterval(() => {
      if (document.querySelector('main h1') && !document.querySelector('main .loading')) {
        window.__cmReady = performance.now();
        clearInterval(t);
      }
    }, 5);
  });
  const page = await ctx.newPage();
  const recorded = [];
  if (replay) {
    await page.route('**/*', (route) => {
      const hit = replay.get(route.request().url());
      return hit ? route.fulfill(hit) : route.continue();
    });
  } else {
    page.on('response', async (res) => {
      try {
        recorded.push({ url: res.url(), status: res.status(), headers: res.headers(), body: await res.body() });
      } catch (e) {
        /* A redirect or an aborted request has no body */
      }
    });
  }
  await page.goto(base + path);
  await page.waitForFunction(() => window.__cmReady !== undefined, null, { timeout: 15000 });
  const ms = await page.evaluate(() => window.__cmReady);
  await page.waitForLoadState('networkidle');
  const size = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource');
    return { bytes: nav.transferSize + res.reduce((n, r) => n + r.transferSize, 0), requests: 1 + res.length };
  });
  await ctx.close();
  return { ms, ...size, recorded };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const api = async (path) => (await fetch(cm + path)).json();
const ds = (await api('/api/v1/datasets?limit=1&sort=-published')).datasets[0].slug;
const sheet = (await api('/api/v1/practices?limit=1')).practices[0].id;
const PAGES = [
  ['home', '/'],
  ['catalog (search)', '/donnees?q=%C3%A9lectricit%C3%A9'],
  ['dataset', '/donnees/electricity-commune-month'],
  ['dataset (indicator)', `/donnees/${ds}`],
  ['indicators', '/indicateurs'],
  ['registry', '/registre'],
  ['sheet', `/registre/${sheet}`],
  ['revisions', `/registre/${sheet}/revisions`],
  ['login', '/connexion'],
  ['editor (editor)', `/registre/${sheet}/modifier`, 'redaction'],
  ['workspace (team)', '/atelier', 'equipe-bleue'],
];

const rows = [];
for (const [name, path, who] of PAGES) {
  const first = await load(cm, path, who); // Warm-up, and the recording
  const replay = new Map(first.recorded.map((r) => [r.url.replace(cm, cm), { status: r.status, headers: r.headers, body: r.body }]));
  const t = { cm: [], ngx: [], replay: [] };
  for (let i = 0; i < RUNS; i++) {
    t.cm.push((await load(cm, path, who)).ms);
    t.ngx.push((await load(ngx, path, who)).ms);
    t.replay.push((await load(cm, path, who, replay)).ms);
  }
  rows.push([name, (first.bytes / 1024).toFixed(1), first.requests, median(t.cm).toFixed(0), Math.max(...t.cm).toFixed(0), median(t.ngx).toFixed(0), median(t.replay).toFixed(0)]);
  process.stderr.write(`   ${name}: done\n`);
}
await browser.close();

const head = ['page', 'KiB moved', 'requests', 'consometer ms (p50)', 'max', 'nginx+proxy ms (p50)', 'replay ms (p50)'];
const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (r) => r.map((c, i) => (i ? String(c).padStart(width[i]) : String(c).padEnd(width[i]))).join('  ');
console.log(`\ncold loads in chromium, ${RUNS} each, median (max for consometer); ready = h1 drawn and nothing loading`);
console.log(line(head));
for (const r of rows) console.log(line(r));
