// indicators.js -- the gallery of published indicators (/indicateurs): one
// card per indicator, anchored by its slug (/indicateurs#slug), with its
// values as a chart, its method, its provenance (script sha256, datasets
// read) and the script's Lua source. Charts and sources load only when
// needed (a card scrolled near the screen, a <details> opened), so the
// page stays light with many indicators.
import { h, fill, uid } from '../lib/dom.js';
import { t, tn, pick, fmtNumber, fmtDate } from '../lib/i18n.js';
import { api } from '../lib/api.js';
import { pageTitle, errorBox, loading, announce } from '../lib/ui.js';
import { lineChart, periodToTime, preloadCharts } from '../lib/chart.js';

const SORTS = ['gallery', 'recent', 'title', 'team'];
// More lines than this make a chart unreadable: the others stay in the
// table of all values under it.
const MAX_SERIES = 6;
// Enough rows for every demo indicator; a larger one says it is cut.
const MAX_RECORDS = 1000;

export async function render(ctx) {
  preloadCharts(); // uPlot travels while the data is asked for
  const { main, query } = ctx;
  const sort = SORTS.includes(query.get('sort')) ? query.get('sort') : 'gallery';
  const list = h('div', { class: 'ind-gallery' }, loading());
  fill(main,
    pageTitle(t('indicators.title')),
    h('p', { class: 'lead' }, t('indicators.lead')),
    sortForm((s) => {
      // Only the list changes: the focus stays on the select.
      history.replaceState(null, '', s === 'gallery' ? '/indicateurs' : `/indicateurs?sort=${s}`);
      loadList(ctx, list, s, true);
    }, sort),
    list);
  await loadList(ctx, list, sort, false);
}

let listSeq = 0;
let lazyIO = null;

async function loadList(ctx, list, sort, again) {
  const seq = ++listSeq; // A later sort wins over a slower earlier answer
  fill(list, loading());
  let data;
  try {
    ({ data } = await api('GET', '/api/v1/indicators', { query: { sort } }));
  } catch (err) {
    if (!ctx.current() || seq !== listSeq) return;
    fill(list, errorBox(err, { retry: () => loadList(ctx, list, sort, again) }));
    return;
  }
  if (!ctx.current() || seq !== listSeq) return;
  const items = data.indicators || [];
  if (lazyIO) lazyIO.disconnect(); // the cards of the previous order are gone
  const lazy = lazyLoader();
  const count = tn('indicators.count', items.length);
  fill(list,
    h('p', { class: 'meta' }, count),
    items.length
      ? h('ul', { class: 'ind-list' }, items.map((ind) => card(ind, lazy)))
      : h('p', null, t('indicators.none')));
  if (again) announce(t('indicators.sorted', { count }));
  else scrollToHash();
}

function sortForm(onChange, sort) {
  const id = uid('ind-sort');
  return h('form', { class: 'ind-sort', onsubmit: (e) => e.preventDefault() },
    h('label', { for: id }, t('indicators.sort')),
    h('select', { id, onchange: (e) => onChange(e.target.value) }, SORTS.map((s) => h('option', { value: s, selected: s === sort }, t(`indicators.sort_${s}`)))));
}

// /indicateurs#slug: the router focuses the <h1> once render() returns,
// which scrolls to the top; the card is reached after that.
function scrollToHash() {
  let slug = '';
  try {
    slug = decodeURIComponent(location.hash.slice(1));
  } catch (e) {
    return; // A malformed hash names no card
  }
  if (!slug) return;
  setTimeout(() => {
    const el = document.getElementById(slug);
    if (!el) return;
    const title = el.querySelector('h2');
    el.scrollIntoView({ block: 'start' });
    if (title) title.focus({ preventScroll: true });
  }, 0);
}

// One IntersectionObserver for the page: a card's chart is fetched when
// the card comes within a screen of the viewport, then forgotten.
function lazyLoader() {
  const jobs = new Map();
  const io = 'IntersectionObserver' in window
    ? new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        io.unobserve(e.target);
        const job = jobs.get(e.target);
        jobs.delete(e.target);
        if (job) job();
      }
    }, { rootMargin: '600px 0px' })
    : null;
  lazyIO = io;
  return (el, job) => {
    if (!io) {
      job();
      return;
    }
    jobs.set(el, job);
    io.observe(el);
  };
}

function card(ind, lazy) {
  const title = pick(ind.title);
  const titleId = `${ind.slug}-title`;
  // Not .loading: nothing is fetched until the card comes near the screen.
  const chartSlot = h('div', { class: 'ind-chart ind-chart-pending' }, h('p', { class: 'meta ind-chart-note' }, t('indicators.chart_pending')));
  lazy(chartSlot, () => loadChart(ind, title, chartSlot));
  const prov = ind.provenance || {};
  const reads = prov.reads || [];
  return h('li', { class: 'ind-card', id: ind.slug },
    h('article', { 'aria-labelledby': titleId },
      h('h2', { id: titleId, tabindex: '-1' }, title),
      h('p', { class: 'ind-by' },
        h('span', { class: ind.team ? 'badge badge-team' : 'badge' },
          ind.team ? t('indicators.by_team', { team: ind.team }) : t('indicators.by_platform'))),
      ind.description ? h('p', { class: 'ind-desc' }, pick(ind.description)) : null,
      h('dl', { class: 'meta-list ind-facts' },
        h('dt', null, t('indicators.unit')), h('dd', null, ind.unit || ''),
        h('dt', null, t('indicators.grain')), h('dd', null, grainLabel(ind.period, ind.territory)),
        h('dt', null, t('indicators.version')), h('dd', null,
          t('indicators.version_text', { v: ind.version, date: fmtDate(ind.published_at) })),
        h('dt', null, t('indicators.rows')), h('dd', null, fmtNumber(ind.n_observations))),
      chartSlot,
      h('h3', null, t('indicators.method')),
      h('p', { class: 'ind-method' }, ind.method || prov.method || ''),
      h('h3', null, t('indicators.provenance')),
      h('dl', { class: 'meta-list ind-prov' },
        h('dt', null, t('indicators.sha256')),
        h('dd', null, prov.script_sha256 ? h('code', { class: 'ind-sha' }, prov.script_sha256) : t('indicators.unknown')),
        h('dt', null, t('indicators.reads')),
        h('dd', null, reads.length
          ? h('ul', { class: 'ind-reads' }, reads.map((r) => h('li', null,
            h('a', { href: `/donnees/${r.slug}` }, r.slug), ' ',
            h('span', { class: 'meta' }, t('indicators.read_version', { v: r.version })))))
          : t('indicators.unknown'))),
      sourceDetails(ind),
      h('ul', { class: 'ind-links' },
        h('li', null, h('a', { href: `/donnees/${ind.slug}` }, t('indicators.dataset_page'))),
        h('li', null, h('a', { href: `/api/v1/datasets/${ind.slug}/download?format=csv`, download: '' },
          t('indicators.download', { format: 'CSV' }))),
        h('li', null, h('a', { href: `/api/v1/datasets/${ind.slug}/download?format=json`, download: '' },
          t('indicators.download', { format: 'JSON' }))))));
}

function grainLabel(period, territory) {
  const p = ['year', 'month', 'day', 'hour'].includes(period) ? t(`indicators.period_${period}`) : period || '';
  const ter = ['site', 'district', 'commune', 'epci'].includes(territory) ? t(`indicators.territory_${territory}`) : territory || '';
  return [p, ter].filter(Boolean).join(' · ');
}

// The script's Lua source, fetched the first time the reader opens it.
function sourceDetails(ind) {
  const body = h('div', { class: 'ind-source-body' });
  let loaded = false;
  const details = h('details', { class: 'ind-source' },
    h('summary', null, t('indicators.source')),
    body);
  const load = async () => {
    if (loaded || !details.open) return;
    loaded = true;
    fill(body, loading());
    try {
      const { data } = await api('GET', ind.source_url || `/api/v1/indicators/${ind.slug}/source`, { headers: { Accept: 'text/x-lua, text/plain' } });
      fill(body,
        h('pre', { class: 'ind-code', tabindex: '0', role: 'region', 'aria-label': t('indicators.source_label', { title: pick(ind.title) }) },
          h('code', { class: 'language-lua' }, String(data))),
        h('p', null, h('a', { href: ind.source_url || `/api/v1/indicators/${ind.slug}/source` }, t('indicators.source_raw'))));
      announce(t('indicators.source_loaded'));
    } catch (err) {
      loaded = false;
      fill(body, errorBox(err, { retry: load }));
    }
  };
  details.addEventListener('toggle', load);
  return details;
}

async function loadChart(ind, title, slot) {
  fill(slot, loading(t('indicators.chart_loading')));
  let data;
  try {
    ({ data } = await api('GET', `/api/v1/datasets/${ind.slug}/records`, {
      query: { limit: MAX_RECORDS, fields: 'period,territory,sector,value,status' },
    }));
  } catch (err) {
    slot.classList.remove('ind-chart-pending');
    fill(slot, errorBox(err, { retry: () => loadChart(ind, title, slot), title: t('indicators.chart_failed') }));
    return;
  }
  const records = data.records || [];
  slot.classList.remove('ind-chart-pending');
  fill(slot,
    valuesFigure({ title, unit: ind.unit, records }),
    data.next ? h('p', { class: 'meta' }, t('indicators.cut', { n: fmtNumber(records.length) })) : null);
}

// The values of an indicator (rows {period, territory, sector, value}) as
// a figure: a line per territory (and sector) over time, at most
// MAX_SERIES of them, with every value in a table below; a single period
// has no line to draw, so it is a table with bars. Also used by the
// workspace for a run's result (table: false, it shows its own).
export function valuesFigure({ title, unit, records, table = true }) {
  if (!records.length) return h('p', { class: 'meta' }, t('indicators.no_values'));
  const periods = [...new Set(records.map((r) => r.period))].sort();
  const label = seriesLabeller(records);
  if (periods.length === 1) return barsTable({ title, unit, period: periods[0], records, label });
  const keys = [];
  const byKey = new Map();
  for (const r of records) {
    const k = label(r);
    if (!byKey.has(k)) {
      byKey.set(k, new Map());
      keys.push(k);
    }
    byKey.get(k).set(r.period, r.value ?? null);
  }
  keys.sort((a, b) => a.localeCompare(b));
  const shown = keys.slice(0, MAX_SERIES);
  const x = periods.map(periodToTime);
  const series = shown.map((k) => ({ label: k, values: periods.map((p) => (byKey.get(k).has(p) ? byKey.get(k).get(p) : null)) }));
  return h('div', { class: 'ind-values' },
    lineChart({ title, unit, x, series, gapNote: t('indicators.gaps'), gapLabel: t('indicators.gap_label') }),
    keys.length > shown.length ? h('p', { class: 'meta' }, t('indicators.series_cut', { shown: shown.length, n: keys.length })) : null,
    table ? allValues({ title, unit, records, label }) : null);
}

// Labels the series by what varies: the territory, the sector, or both.
function seriesLabeller(records) {
  const ters = new Set(records.map((r) => r.territory));
  const secs = new Set(records.map((r) => r.sector ?? ''));
  if (secs.size <= 1) return (r) => r.territory;
  if (ters.size <= 1) return (r) => r.sector ?? '';
  return (r) => `${r.territory} · ${r.sector ?? ''}`;
}

// Every value, one row each: the table beside a chart that shows a few.
function allValues({ title, unit, records, label }) {
  return h('details', { class: 'ind-all' },
    h('summary', null, tn('indicators.all_values', records.length)),
    h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('indicators.all_values_label', { title }) },
      h('table', null,
        h('caption', { class: 'visually-hidden' }, t('indicators.all_values_label', { title })),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, t('chart.period')),
          h('th', { scope: 'col' }, t('indicators.series')),
          h('th', { scope: 'col', class: 'num' }, unit ? t('indicators.value_unit', { unit }) : t('indicators.value')))),
        h('tbody', null, records.map((r) => h('tr', null,
          h('td', null, r.period),
          h('td', null, label(r)),
          valueCell(r.value)))))));
}

function valueCell(v) {
  return v === null || v === undefined
    ? h('td', { class: 'gap' }, t('indicators.no_value'))
    : h('td', { class: 'num' }, fmtNumber(v));
}

// A single period: a table, the value drawn as a bar (an SVG width, not a
// style attribute, which the CSP refuses), largest first.
function barsTable({ title, unit, period, records, label }) {
  const rows = [...records].sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity));
  const max = Math.max(...rows.map((r) => Math.abs(r.value ?? 0)), 0) || 1;
  const svgNS = 'http://www.w3.org/2000/svg';
  const bar = (v) => {
    const svg = document.createElementNS(svgNS, 'svg');
    svg.setAttribute('class', 'ind-bar');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const rect = document.createElementNS(svgNS, 'rect');
    rect.setAttribute('x', '0');
    rect.setAttribute('y', '0');
    rect.setAttribute('height', '100%');
    rect.setAttribute('width', `${(Math.abs(v ?? 0) / max) * 100}%`);
    svg.appendChild(rect);
    return svg;
  };
  const caption = `${title}${unit ? ` (${unit})` : ''} — ${period}`;
  return h('figure', { class: 'ind-bars' },
    h('figcaption', null, caption),
    h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': caption },
      h('table', null,
        h('caption', { class: 'visually-hidden' }, caption),
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, t('indicators.series')),
          h('th', { scope: 'col', class: 'num' }, unit ? t('indicators.value_unit', { unit }) : t('indicators.value')),
          h('th', { scope: 'col', class: 'ind-bar-col' }, h('span', { class: 'visually-hidden' }, t('indicators.bar'))))),
        h('tbody', null, rows.map((r) => h('tr', null,
          h('th', { scope: 'row' }, label(r)),
          valueCell(r.value),
          h('td', { class: 'ind-bar-cell' }, bar(r.value))))))));
}
