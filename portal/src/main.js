// main.js -- the portal's shell: header, footer, language switch, and the
// router that draws a page from the URL. Each page is its own module,
// loaded on first use, so the home page carries no chart or editor code.
import { h, fill } from './lib/dom.js';
import { t, lang, setLang, loadLang, LANGS } from './lib/i18n.js';
import { session, onSession, loadSession, logout } from './lib/session.js';
import { errorBox, loading } from './lib/ui.js';

// [pattern, module loader, name of the nav entry it belongs to]
const ROUTES = [
  [/^\/$/, () => import('./pages/home.js'), 'home'],
  [/^\/donnees$/, () => import('./pages/catalog.js'), 'data'],
  [/^\/donnees\/([a-z0-9][a-z0-9-]*)$/, () => import('./pages/dataset.js'), 'data'],
  [/^\/indicateurs$/, () => import('./pages/indicators.js'), 'indicators'],
  [/^\/registre$/, () => import('./pages/registry.js'), 'registry'],
  [/^\/registre\/nouvelle$/, () => import('./pages/editor.js'), 'registry'],
  [/^\/registre\/(\d+)$/, () => import('./pages/sheet.js'), 'registry'],
  [/^\/registre\/(\d+)\/modifier$/, () => import('./pages/editor.js'), 'registry'],
  [/^\/registre\/(\d+)\/revisions$/, () => import('./pages/revisions.js'), 'registry'],
  [/^\/atelier$/, () => import('./pages/workspace.js'), 'workspace'],
  [/^\/connexion$/, () => import('./pages/login.js'), 'login'],
];

const NAV = [
  ['home', '/'],
  ['data', '/donnees'],
  ['indicators', '/indicateurs'],
  ['registry', '/registre'],
  ['workspace', '/atelier'],
];

let navSeq = 0;
let firstRender = true;

function header(active) {
  const s = session();
  const other = LANGS.find((l) => l !== lang());
  return [
    h('div', { class: 'bar' },
      h('a', { href: '/', class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'C'), 'Consometer'),
      h('nav', { 'aria-label': t('nav.label'), class: 'main-nav' },
        h('ul', null, NAV.filter(([name]) => name !== 'workspace' || (s && s.role === 'team'))
          .map(([name, href]) => h('li', null, h('a', { href, 'aria-current': name === active ? 'page' : null }, t(`nav.${name}`)))))),
      h('div', { class: 'tools' },
        h('button', {
          type: 'button', class: 'btn btn-small lang-switch', lang: other,
          'aria-label': t('nav.lang_switch_label'),
          onclick: async () => {
            await setLang(other);
            render();
          },
        }, t('nav.lang_switch')),
        s
          ? h('span', { class: 'who' },
            h('span', null, t('nav.logged_as', { user: s.user, role: t(`role.${s.role}`) })), ' ',
            h('button', {
              type: 'button', class: 'btn btn-small',
              onclick: async () => {
                try {
                  await logout();
                } catch (e) {
                  /* The session ends here whatever the server said */
                }
                navigate('/');
              },
            }, t('nav.logout')))
          : h('a', { href: '/connexion', class: 'btn btn-small', 'aria-current': active === 'login' ? 'page' : null }, t('nav.login'))),
    ),
  ];
}

function footer() {
  return h('div', { class: 'bar' },
    h('p', null, t('footer.about')),
    h('ul', { class: 'footer-links' },
      h('li', null, h('a', { href: '/api/v1' }, t('footer.api'))),
      h('li', null, h('a', { href: '/api/v1/openapi.json' }, 'OpenAPI')),
      h('li', null, h('a', { href: '/catalog.jsonld' }, t('footer.dcat'))),
      h('li', null, h('a', { href: '/api/v1/registry/feed.atom' }, t('footer.feed')))));
}

// opts.focus: put the focus on the new page's h1 (false when only the
// query changed: the user stays on the control they were using);
// opts.keep: leave the page on screen while the next one loads.
// The route of a path, and its match (the page's parameters).
function routeFor(pathname) {
  const path = pathname.replace(/\/+$/, '') || '/';
  for (const r of ROUTES) {
    const match = path.match(r[0]);
    if (match) return { route: r, match };
  }
  return { route: null, match: null };
}

export async function render(opts = {}) {
  const { focus = true, keep = false } = opts;
  const seq = ++navSeq;
  const main = document.getElementById('main');
  const { route, match } = routeFor(location.pathname);
  document.documentElement.lang = lang();
  document.getElementById('skip').textContent = t('nav.skip');
  fill(document.getElementById('site-header'), header(route ? route[2] : null));
  fill(document.getElementById('site-footer'), footer());
  if (!route) {
    const { notFound } = await import('./pages/notfound.js');
    notFound(main);
    focusTitle(main);
    return;
  }
  if (!keep) fill(main, loading());
  let mod;
  try {
    mod = await route[1]();
  } catch (e) {
    fill(main, errorBox({ code: 'unreachable', message: e.message }, { retry: () => render() }));
    return;
  }
  if (seq !== navSeq) return; // A later navigation won
  const ctx = {
    params: match.slice(1),
    query: new URLSearchParams(location.search),
    main,
    navigate,
    current: () => seq === navSeq,
  };
  try {
    await mod.render(ctx);
  } catch (e) {
    if (seq !== navSeq) return;
    console.error(e);
    fill(main, errorBox(e, { retry: () => render() }));
  }
  if (seq === navSeq && focus) focusTitle(main);
}

function focusTitle(main) {
  if (firstRender) {
    firstRender = false;
    return; // A fresh load starts at the top, as any page does
  }
  const title = main.querySelector('h1');
  if (title) title.focus({ preventScroll: false });
}

// Goes to a portal URL without reloading. replace: keep history clean
// when only the query changes (filters, search words).
export function navigate(url, replace) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  if (!replace) window.scrollTo(0, 0);
  return render({ focus: !replace, keep: !!replace });
}

function isPortalLink(a) {
  if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin) return false;
  const p = a.pathname;
  // An anchor in this page (the skip link, a table of contents) stays one
  if (a.hash && p === location.pathname && a.search === location.search) return false;
  return !(p.startsWith('/api/') || p === '/api' || p.startsWith('/catalog') || p === '/health' || p === '/metrics' || /\.[a-z0-9]+$/i.test(p));
}

document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  if (!isPortalLink(a)) return;
  e.preventDefault();
  navigate(a.pathname + a.search + a.hash);
});
window.addEventListener('popstate', () => render());
// The skip link moves the focus itself: a fragment's focus is applied by
// the browser a moment later, and a quick Tab would start from the link.
document.getElementById('skip').addEventListener('click', (e) => {
  e.preventDefault();
  document.getElementById('main').focus();
});
onSession(() => {
  const { route } = routeFor(location.pathname);
  fill(document.getElementById('site-header'), header(route ? route[2] : null));
});

// The page's module is fetched while the messages and the session load.
const { route: first } = routeFor(location.pathname);
if (first) first[1]().catch(() => {}); // A failure shows when render() asks again
Promise.all([loadLang(lang()), loadSession()]).finally(() => render());
