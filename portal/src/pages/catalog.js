// catalog.js -- /donnees: the published datasets, searched and filtered.
// The whole state (q, facets, sort) lives in the URL, so a search can be
// shared and Back works; a change goes through ctx.navigate(url, true),
// which draws the page again from the URL. The page keeps the last answer
// in memory so that redraw shows the previous results at once (no flash
// of "loading", no jump to the top) and gives the focus back to the
// control the user was on.
import { h, fill } from '../lib/dom.js';
import { t, tn, pick, fmtNumber, fmtDate } from '../lib/i18n.js';
import { api, apiUrl } from '../lib/api.js';
import { pageTitle, errorBox, loading, announce, facetPanel, keepFocus, pendingFocus, restoreFocus, searchState, searchUrl } from '../lib/ui.js';

const FACETS = ['theme', 'kind', 'territory_level', 'license'];
const SORTS = ['relevance', 'title', '-title', '-published', 'published'];
const PAGE = 20;
const EXCERPT = 220;

let last = null; // {key, data}: the previous answer, shown while the next one comes

// A message when the catalog has one, else the fallback (codes the
// portal does not know yet still show, as themselves).
export function known(key, fallback) {
  const s = t(key);
  return s === key ? fallback : s;
}

// Readable names for the values the API lists; shared with dataset.js.
export function themeName(uri) {
  const code = String(uri).split('/').pop();
  return known(`catalog.theme.${code}`, code);
}
export const kindName = (k) => known(`catalog.kind.${k}`, k);
export const levelName = (l) => known(`catalog.level.${l}`, l);
export const periodName = (p) => known(`catalog.period.${p}`, p);
export const licenseName = (l) => known(`catalog.license.${l}`, l);

const KEYS = ['q', ...FACETS, 'sort'];

function state(query) {
  const s = searchState(query, KEYS, FACETS);
  s.q = s.q.trim();
  if (!SORTS.includes(s.sort) || (s.sort === 'relevance' && !s.q)) s.sort = '';
  return s;
}

function urlOf(s) {
  return searchUrl('/donnees', s, KEYS);
}

function apiQuery(s) {
  const q = { q: s.q, sort: s.sort || (s.q ? 'relevance' : 'title'), limit: PAGE };
  for (const f of FACETS) q[f] = s[f]; // api() leaves an empty list out
  return q;
}

function facetLabel(name, value) {
  if (name === 'theme') return themeName(value);
  if (name === 'kind') return kindName(value);
  if (name === 'territory_level') return levelName(value);
  return licenseName(value);
}

// A value the user chose stays in the panel even when the API's facets
// (counted over the search words) do not list it, so it can be unticked.
function withSelected(facets, s) {
  const out = {};
  for (const f of FACETS) {
    const list = [...((facets && facets[f]) || [])];
    for (const v of s[f]) if (!list.some((x) => String(x.value) === v)) list.push({ value: v, count: 0 });
    out[f] = list;
  }
  return out;
}

function excerpt(text) {
  if (text.length <= EXCERPT) return text;
  const cut = text.slice(0, EXCERPT);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), EXCERPT - 40))}…`;
}

function resultItem(d) {
  const meta = [
    periodName(d.period),
    levelName(d.territory_level),
    t('catalog.version', { v: d.version }),
    t('catalog.published', { date: fmtDate(d.published_at) }),
    tn('catalog.observations', d.n_observations),
  ].filter(Boolean).join(' · ');
  return h('li', null,
    h('h3', null, h('a', { href: `/donnees/${d.slug}` }, pick(d.title))),
    h('p', { class: 'catalog-excerpt' }, excerpt(pick(d.description))),
    h('ul', { class: 'tags', 'aria-label': t('catalog.kinds') }, (d.kinds || []).map((k) => h('li', null, kindName(k)))),
    h('p', { class: 'meta' }, meta));
}

function emptyMessage(s) {
  const filtered = FACETS.some((f) => s[f].length);
  return h('div', { class: 'notice catalog-empty' },
    h('p', null, h('strong', null, s.q ? t('catalog.empty_q', { q: s.q }) : t('catalog.empty'))),
    h('ul', null,
      s.q ? h('li', null, t('catalog.empty_words')) : null,
      filtered ? h('li', null, h('a', { href: urlOf({ ...s, theme: [], kind: [], territory_level: [], license: [] }) }, t('catalog.empty_unfilter'))) : null,
      h('li', null, h('a', { href: '/donnees' }, t('catalog.empty_all')))));
}

// A navigation that redraws the page: the control that made it gets the
// focus back once drawn.
function go(ctx, s, id) {
  keepFocus(id);
  return ctx.navigate(urlOf(s), true);
}

function searchForm(ctx, s) {
  return h('form', {
    class: 'searchbar', role: 'search', action: '/donnees', method: 'get',
    onsubmit: (e) => {
      e.preventDefault();
      go(ctx, { ...s, q: e.target.elements.q.value.trim(), sort: '' }, 'catalog-q');
    },
  },
  h('label', { for: 'catalog-q', class: 'visually-hidden' }, t('catalog.search_label')),
  h('input', { type: 'search', id: 'catalog-q', name: 'q', value: s.q, placeholder: t('catalog.search_placeholder') }),
  h('button', { type: 'submit', class: 'btn' }, t('ui.search')));
}

function sortSelect(ctx, s) {
  const current = s.sort || (s.q ? 'relevance' : 'title');
  return h('div', { class: 'field catalog-sort' },
    h('label', { for: 'catalog-sort' }, t('catalog.sort')),
    h('select', {
      id: 'catalog-sort',
      onchange: (e) => go(ctx, { ...s, sort: e.target.value }, 'catalog-sort'),
    }, SORTS.filter((o) => o !== 'relevance' || s.q).map((o) => h('option', { value: o, selected: o === current }, t(`catalog.sort.${o}`)))));
}

function facets(ctx, s, data) {
  return facetPanel(withSelected(data && data.facets, s), s, facetLabel,
    (name, values) => {
      const id = document.activeElement && document.activeElement.id;
      go(ctx, { ...s, [name]: values }, id);
    },
    (name) => t(`catalog.facet.${name}`));
}

function results(ctx, s, data, list, status) {
  const items = h('ul', { class: 'results' }, data.datasets.map(resultItem));
  let next = data.next;
  const more = h('button', {
    type: 'button', class: 'btn btn-secondary', id: 'catalog-more',
    onclick: async () => {
      more.disabled = true;
      try {
        const r = await api('GET', next);
        if (!ctx.current()) return;
        const first = items.children.length;
        items.append(...r.data.datasets.map(resultItem));
        next = r.data.next;
        announce(tn('catalog.more_loaded', r.data.datasets.length));
        // The first new result takes the focus: the reader goes on from there.
        const a = items.children[first] && items.children[first].querySelector('a');
        if (a) a.focus();
        more.disabled = false;
        more.hidden = !next;
      } catch (err) {
        more.disabled = false;
        more.after(errorBox(err));
      }
    },
  }, t('ui.more'));
  more.hidden = !next;
  fill(status, tn('catalog.count', data.total));
  fill(list, data.total ? [items, h('p', null, more)] : emptyMessage(s));
}

export async function render(ctx) {
  const s = state(ctx.query);
  const key = urlOf(s);
  const status = h('p', { class: 'catalog-count', id: 'catalog-count' });
  const list = h('div', { class: 'catalog-list', 'aria-busy': 'true' });
  const facetBox = h('div', { class: 'catalog-facets-box' });
  const url = apiUrl('/api/v1/datasets', apiQuery(s));
  fill(ctx.main,
    pageTitle(t('catalog.title')),
    h('p', { class: 'lead' }, t('catalog.lead')),
    searchForm(ctx, s),
    h('div', { class: 'layout-facets' },
      h('aside', { class: 'catalog-filters', 'aria-labelledby': 'catalog-filters-title' },
        // Folded on a phone (unless a filter is on), so the results come
        // first; always open beside them on a wider screen.
        h('details', { class: 'catalog-filters-fold', open: FACETS.some((f) => s[f].length) || !window.matchMedia('(max-width: 50rem)').matches },
          h('summary', null, h('h2', { id: 'catalog-filters-title' }, t('catalog.filters'))), facetBox)),
      h('section', { class: 'catalog-results', 'aria-labelledby': 'catalog-results-title' },
        h('div', { class: 'catalog-results-head' },
          h('div', null, h('h2', { id: 'catalog-results-title' }, t('catalog.results')), status),
          sortSelect(ctx, s)),
        list,
        h('p', { class: 'meta catalog-api' }, t('catalog.api'), ' ', h('a', { href: url }, h('code', null, url))))));

  // The previous answer stands in while this one comes (same page, new query).
  if (last && pendingFocus()) {
    fill(facetBox, facets(ctx, s, last.data));
    results(ctx, s, last.data, list, status);
  } else {
    fill(list, loading());
  }
  let data;
  try {
    data = (await api('GET', '/api/v1/datasets', { query: apiQuery(s) })).data;
  } catch (err) {
    if (!ctx.current()) return;
    list.removeAttribute('aria-busy');
    fill(status);
    fill(facetBox);
    fill(list, errorBox(err, { retry: () => ctx.navigate(key, true) }));
    restoreFocus();
    return;
  }
  if (!ctx.current()) return;
  last = { key, data };
  fill(facetBox, facets(ctx, s, data));
  results(ctx, s, data, list, status);
  list.removeAttribute('aria-busy');
  announce(tn('catalog.count', data.total));
  restoreFocus();
}
