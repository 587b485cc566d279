// registry.js -- the registry of practice sheets: search words, facets,
// sort and cursor pages over GET /api/v1/practices, the state kept in the
// URL. Staff (editors, moderators) also get their working views through
// state= (drafts, sheets in review) and the link to write a new sheet.
// Also exports the labels the sheet, editor and revisions pages share.
import { h, fill } from '../lib/dom.js';
import { t, tn, fmtDate } from '../lib/i18n.js';
import { api } from '../lib/api.js';
import { session } from '../lib/session.js';
import { pageTitle, errorBox, loading, announce, facetPanel, searchState, searchUrl } from '../lib/ui.js';

export const THEMES = ['renovation', 'monitoring', 'renewables', 'heat_network', 'mobility', 'lighting',
  'industrial_ecology', 'sobriety', 'open_data', 'governance', 'air_quality', 'water'];
export const SECTORS = ['public_buildings', 'residential', 'tertiary', 'industry', 'transport',
  'agriculture', 'energy_production', 'cross_cutting'];
export const LEVELS = ['commune', 'epci', 'departement', 'region'];
export const STATUSES = ['planned', 'ongoing', 'done', 'paused', 'abandoned'];
export const PRIORITIES = ['high', 'medium', 'low'];
export const IMPACTS = ['energy', 'ghg', 'air_quality'];
export const LICENCES = ['etalab-2.0', 'CC-BY-4.0', 'CC-BY-SA-4.0', 'ODbL-1.0', 'CC0-1.0'];
const FACETS = ['theme', 'territory', 'territory_level', 'sector', 'status', 'impact'];
const SORTS = ['relevance', 'recent', 'title', 'reuses'];

// The words for an enumerated value; an unknown value shows as itself
// (a newer server may know more than this portal).
export function label(kind, value) {
  if (value === null || value === undefined || value === '') return '';
  const key = `registry.${kind}.${value}`;
  const s = t(key);
  return s === key ? String(value) : s;
}

// "Énergie : fort" for the facet value "energy:3".
export function impactLabel(value) {
  const [k, r] = String(value).split(':');
  return t('registry.impact_rated', { impact: label('impact', k), rating: label('rating', r) });
}

export function stateBadge(state) {
  return h('span', { class: `badge state-${state}` }, label('state', state));
}

export function territoryText(terr) {
  if (!terr) return '';
  return t('registry.territory_fmt', { name: terr.name || terr.code, level: label('level', terr.level), code: terr.code });
}

// Editors, moderators and admins write sheets; the server decides which.
export function isWriter() {
  const s = session();
  return !!s && ['editor', 'moderator', 'admin'].includes(s.role);
}

export function isModerator() {
  const s = session();
  return !!s && ['moderator', 'admin'].includes(s.role);
}

// The search as the URL holds it: {q, sort, state, theme: [..], ...}.
const KEYS = ['q', ...FACETS, 'sort', 'state'];

function readQuery(query) {
  return searchState(query, KEYS, FACETS);
}

function toUrl(st) {
  return searchUrl('/registre', st, KEYS);
}

function apiQuery(st) {
  const q = { q: st.q, sort: st.sort, state: st.state };
  for (const f of FACETS) q[f] = st[f]; // api() leaves an empty list out
  return q;
}

// The working views of staff, as tabs that are plain links.
function views(st) {
  if (!isWriter()) return null;
  // Moderators see every draft, an editor theirs (the server filters).
  const list = [['', t('registry.view_published')], ['draft', t(isModerator() ? 'registry.view_drafts_all' : 'registry.view_drafts')], ['in_review', t('registry.view_review')]];
  if (isModerator()) list.push(['archived', t('registry.view_archived')]);
  return h('nav', { class: 'registry-views', 'aria-label': t('registry.views') },
    h('ul', null, list.map(([state, text]) => h('li', null,
      h('a', { href: toUrl({ ...readQuery(new URLSearchParams()), state }), 'aria-current': st.state === state ? 'page' : null }, text)))),
    h('a', { href: '/registre/nouvelle', class: 'btn' }, t('registry.new')));
}

function resultItem(p) {
  const meta = [territoryText(p.territory)];
  if (p.status) meta.push(label('status', p.status));
  if (p.start) meta.push(t('registry.since', { date: p.start }));
  if (p.reuses) meta.push(tn('registry.reuses', p.reuses));
  return h('li', { class: 'practice-result' },
    h('h3', null, h('a', { href: `/registre/${p.id}` }, p.title)),
    p.state && p.state !== 'published' ? h('p', { class: 'meta' }, stateBadge(p.state), ' ', t('registry.saved_at', { date: fmtDate(p.at, true) })) : null,
    h('p', { class: 'meta' }, meta.join(' · ')),
    p.summary ? h('p', { class: 'summary' }, p.summary) : null,
    p.themes && p.themes.length
      ? h('ul', { class: 'tags', 'aria-label': t('registry.themes') }, p.themes.map((x) => h('li', null, label('theme', x))))
      : null);
}

export async function render(ctx) {
  const st = readQuery(ctx.query);
  // Territory codes get their names from the results seen so far.
  const names = new Map();
  const title = st.state ? t(`registry.title_${st.state}`) : t('registry.title');
  const form = h('form', {
    class: 'searchbar', role: 'search',
    onsubmit: (e) => {
      e.preventDefault();
      st.q = form.elements.q.value.trim();
      st.sort = form.elements.sort.value;
      update();
    },
  },
  h('label', { for: 'reg-q', class: 'visually-hidden' }, t('registry.search_label')),
  h('input', { type: 'search', id: 'reg-q', name: 'q', value: st.q, placeholder: t('registry.search_placeholder') }),
  h('label', { for: 'reg-sort', class: 'sort-label' }, t('registry.sort')),
  h('select', { id: 'reg-sort', name: 'sort', onchange: (e) => { st.sort = e.target.value; update(); } },
    SORTS.map((s) => h('option', { value: s === 'relevance' ? '' : s, selected: (st.sort || '') === (s === 'relevance' ? '' : s) }, t(`registry.sort_${s}`)))),
  h('button', { type: 'submit', class: 'btn' }, t('ui.search')));
  const facetBox = h('div', { class: 'registry-facets' });
  const results = h('section', { class: 'registry-results', 'aria-labelledby': 'reg-count' }, loading());
  fill(ctx.main,
    pageTitle(title),
    h('p', { class: 'lead' }, t('registry.lead')),
    views(st),
    form,
    h('div', { class: 'layout-facets' },
      // Folded on a phone, where the filters would push the results a
      // screen or two down; open where there is room beside them.
      h('aside', { 'aria-labelledby': 'reg-facets-h' },
        h('details', { class: 'facets-toggle', open: window.matchMedia('(min-width: 50rem)').matches },
          h('summary', null, h('h2', { id: 'reg-facets-h', class: 'facets-title' }, t('registry.refine'))),
          facetBox)),
      results),
    h('section', { class: 'registry-exports', 'aria-labelledby': 'reg-exp' },
      h('h2', { id: 'reg-exp' }, t('registry.exports')),
      h('p', null, t('registry.exports_text')),
      h('ul', { class: 'export-links' },
        h('li', null, h('a', { href: '/api/v1/registry/export.csv', download: 'registre.csv' }, t('registry.export_csv'))),
        h('li', null, h('a', { href: '/api/v1/registry/export.json', download: 'registre.json' }, t('registry.export_json'))),
        h('li', null, h('a', { href: '/api/v1/registry/feed.atom' }, t('registry.feed'))))));

  // A filter changes the URL in place and redraws the results only, so
  // the checkbox just ticked keeps the focus (the router would move it).
  function update() {
    history.replaceState(null, '', toUrl(st));
    load();
  }

  function facetTitle(name) {
    return t(`registry.facet_${name}`);
  }

  function facetLabel(name, value) {
    if (name === 'theme') return label('theme', value);
    if (name === 'sector') return label('sector', value);
    if (name === 'status') return label('status', value);
    if (name === 'territory_level') return label('level', value);
    if (name === 'impact') return impactLabel(value);
    if (name === 'territory') return names.get(String(value)) || String(value);
    return String(value);
  }

  let seq = 0;
  async function load() {
    const mine = ++seq;
    const focused = document.activeElement && document.activeElement.id;
    results.setAttribute('aria-busy', 'true');
    let res;
    try {
      res = await api('GET', '/api/v1/practices', { query: apiQuery(st) });
    } catch (err) {
      if (!ctx.current() || mine !== seq) return;
      results.removeAttribute('aria-busy');
      fill(results, h('h2', { id: 'reg-count' }, t('registry.results_title')), errorBox(err, { retry: load }));
      return;
    }
    if (!ctx.current() || mine !== seq) return;
    results.removeAttribute('aria-busy');
    const d = res.data;
    for (const p of d.practices) if (p.territory) names.set(String(p.territory.code), p.territory.name);
    fill(facetBox, facetPanel(orderFacets(d.facets), st, facetLabel, (name, values) => {
      st[name] = values;
      update();
    }, facetTitle));
    const list = h('ul', { class: 'results' }, d.practices.map(resultItem));
    const more = h('p', { class: 'more' });
    const count = tn('registry.count', d.total);
    fill(results,
      h('h2', { id: 'reg-count' }, count),
      d.practices.length ? list : h('p', null, st.state ? t('registry.none_state') : t('ui.none')),
      more);
    moreButton(more, list, d.next);
    announce(count);
    // The control the user was on is redrawn: give it the focus back.
    if (focused) {
      const el = document.getElementById(focused);
      if (el && el !== document.activeElement) el.focus();
    }
  }

  function moreButton(box, list, next) {
    if (!next) {
      fill(box);
      return;
    }
    const btn = h('button', {
      type: 'button', class: 'btn btn-secondary',
      onclick: async () => {
        btn.disabled = true;
        try {
          const { data } = await api('GET', '/api/v1/practices', { query: { ...apiQuery(st), cursor: cursorOf(next) } });
          if (!ctx.current()) return;
          const first = data.practices.map(resultItem);
          list.append(...first);
          announce(tn('registry.more_loaded', data.practices.length));
          // The first new result takes the focus, so reading goes on there.
          const a = first.length && first[0].querySelector('a');
          if (a) a.focus();
          moreButton(box, list, data.next);
        } catch (err) {
          btn.disabled = false;
          fill(box, btn, errorBox(err));
        }
      },
    }, t('ui.more'));
    fill(box, btn);
  }

  await load();
}

// The facets in the order a reader thinks of them (theme first), the
// impacts grouped by kind; the server sends them by name.
function orderFacets(facets) {
  const out = {};
  for (const f of FACETS) if (facets && facets[f]) out[f] = facets[f];
  if (out.impact) out.impact = [...out.impact].sort((a, b) => String(a.value).localeCompare(String(b.value)));
  return out;
}

// next is a link (or the cursor itself): the cursor it carries.
function cursorOf(next) {
  try {
    const u = new URL(next, location.origin);
    return u.searchParams.get('cursor') || next;
  } catch (e) {
    return next;
  }
}
