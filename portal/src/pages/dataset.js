// dataset.js -- /donnees/{slug}[?version=N]: one dataset for a citizen.
// What it is (metadata), what was withheld and why (the disclosure rules
// in plain words), the data itself (filters, chart, table, all from the
// URL so a view can be shared), the files with their checksums, the
// versions, how to cite it, and the API URL of what is on screen.
//
// The API has no list of the territories, sectors or periods of a
// dataset: the page reads them from the records once (scan()), and keeps
// them with the metadata while the user filters (ctx.navigate redraws the
// page from the URL; the cache spares a second load of what did not change).
import { h, fill } from '../lib/dom.js';
import { t, tn, pick, lang, fmtNumber, fmtDate, fmtBytes } from '../lib/i18n.js';
import { api, apiUrl } from '../lib/api.js';
import { pageTitle, errorBox, loading, announce, copyButton, keepFocus, pendingFocus, restoreFocus } from '../lib/ui.js';
import { lineChart, periodToTime, preloadCharts } from '../lib/chart.js';
import { known, themeName, kindName, levelName, periodName, licenseName } from './catalog.js';

const FILTERS = ['territory_level', 'territory', 'sector', 'kind', 'period_from', 'period_to'];
const PAGE = 25; // Rows of the preview table per page
const SCAN_PAGE = 1000; // Rows per request when reading the dataset's values
const SCAN_FULL = 6000; // Up to this size, every row is read once
const CHART_PAGES = 3; // At most 3 000 points on the chart, the newest
const CHART_SERIES = 8;
const TOTAL = '_T'; // The sector of the total over sectors

// Where each licence's text lives (ds_manifest.c knows the same four).
const LICENSE_URLS = {
  'etalab-2.0': 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/',
  'odbl-1.0': 'https://opendatacommons.org/licenses/odbl/1-0/',
  'cc-by-4.0': 'https://creativecommons.org/licenses/by/4.0/',
  'cc0-1.0': 'https://creativecommons.org/publicdomain/zero/1.0/',
};

// What the user types in each grain's period field, and what the API wants.
const GRAINS = {
  year: { input: 'number', re: /^\d{4}$/, fmt: 'YYYY' },
  month: { input: 'month', re: /^\d{4}-(0[1-9]|1[0-2])$/, fmt: 'YYYY-MM' },
  day: { input: 'date', re: /^\d{4}-\d{2}-\d{2}$/, fmt: 'YYYY-MM-DD' },
  hour: { input: 'date', re: /^\d{4}-\d{2}-\d{2}$/, fmt: 'YYYY-MM-DD' },
};

let cache = null; // {key, detail, scan}

const sectorName = (s) => (s === TOTAL ? t('dataset.sector_total') : known(`dataset.sector.${s}`, s));
const unitName = (u) => known(`dataset.unit.${u}`, u || '');

/* ---------- loading ---------- */

async function loadDetail(slug, version) {
  const r = await api('GET', `/api/v1/datasets/${slug}`, { query: { version } });
  return r.data;
}

// The values a filter may take, read from the records: every row of a
// small dataset; for a large one, the first 1 000 rows and the rows of the
// first and last periods (where every territory in use appears).
async function scan(detail) {
  const cols = new Set((detail.columns || []).map((c) => c.name));
  const fields = ['period', 'territory_level', 'territory', 'sector', 'kind', 'unit', 'site_name'].filter((f) => cols.has(f));
  const base = `/api/v1/datasets/${detail.slug}/records`;
  const query = { version: detail.version, fields, limit: SCAN_PAGE, sort: 'period' };
  const rows = [];
  let r = await api('GET', base, { query });
  rows.push(...r.data.records);
  const full = detail.n_observations <= SCAN_FULL;
  while (full && r.data.next) {
    r = await api('GET', r.data.next);
    rows.push(...r.data.records);
  }
  const out = { levels: new Map(), sectors: new Set(), kinds: new Set(), units: new Map(), first: null, last: null, complete: !r.data.next };
  if (!out.complete) {
    const lastRow = await api('GET', base, { query: { ...query, sort: '-period', limit: 1 } });
    const p = lastRow.data.records[0] && lastRow.data.records[0].period;
    if (p) rows.push(...(await api('GET', base, { query: { ...query, period: p } })).data.records);
  }
  for (const row of rows) {
    if (!out.levels.has(row.territory_level)) out.levels.set(row.territory_level, new Map());
    const names = out.levels.get(row.territory_level);
    if (!names.has(row.territory) || row.site_name) names.set(row.territory, row.site_name || null);
    if (row.sector !== null && row.sector !== undefined && row.sector !== '') out.sectors.add(row.sector);
    if (row.kind) out.kinds.add(row.kind);
    if (row.unit) out.units.set(row.kind, row.unit);
    if (!out.first || row.period < out.first) out.first = row.period;
    if (!out.last || row.period > out.last) out.last = row.period;
  }
  return out;
}

/* ---------- state in the URL ---------- */

function readFilters(query, detail, sc) {
  const f = {};
  for (const k of FILTERS) f[k] = (query.get(k) || '').trim();
  // Several levels (communes and their EPCI margin): one at a time, the
  // dataset's own level first, so a chart never adds a total to its parts.
  if (!f.territory_level && sc && sc.levels.size > 1) {
    const main = detail.metadata && detail.metadata.territory;
    f.territory_level = sc.levels.has(main) ? main : [...sc.levels.keys()][0];
  }
  return f;
}

function pageUrl(slug, version, f) {
  const p = new URLSearchParams();
  if (version) p.set('version', version);
  for (const k of FILTERS) if (f[k]) p.set(k, f[k]);
  const qs = p.toString();
  return `/donnees/${slug}${qs ? `?${qs}` : ''}`;
}

// The newest periods first: what a reader looks for, and for a large
// dataset the part the table and the chart can show.
function recordsQuery(detail, f) {
  const q = { version: detail.version };
  for (const k of FILTERS) if (f[k]) q[k] = f[k];
  q.sort = '-period';
  return q;
}

/* ---------- page parts ---------- */

function territoryName(level, code, sc) {
  const names = sc && sc.levels.get(level);
  const name = names && names.get(code);
  if (name) return `${name} (${code})`;
  const m = String(code).match(/^(\d{5}):(.+)$/); // A district: INSEE code:name
  if (m) return `${m[2]} (${m[1]})`;
  return String(code);
}

function frequencyName(uri) {
  if (!uri) return '';
  const code = String(uri).split('/').pop();
  return known(`dataset.freq.${code}`, code);
}

function licenseLink(id) {
  const url = LICENSE_URLS[id];
  const name = licenseName(id);
  return url ? h('a', { href: url, rel: 'license noopener' }, name) : name;
}

function measuresText(meta, detail, sc) {
  const units = new Set(sc ? [...sc.units.values()] : []);
  if (detail.provenance && detail.provenance.unit) units.add(detail.provenance.unit);
  const measures = (meta.measures || []).map((m) => known(`dataset.measure.${m}`, m)).join(', ');
  const u = [...units].map(unitName).join(', ');
  return u ? `${measures} (${u})` : measures;
}

function temporalText(tmp) {
  if (!tmp || (!tmp.start && !tmp.end)) return '';
  return t('dataset.temporal_range', { start: fmtDate(tmp.start), end: fmtDate(tmp.end) });
}

function metaList(detail, sc) {
  const m = detail.metadata || {};
  const rows = [
    ['publisher', m.publisher],
    ['license', m.license ? licenseLink(m.license) : null],
    ['themes', (m.themes || []).map(themeName).join(', ')],
    ['spatial', m.spatial],
    ['temporal', temporalText(m.temporal)],
    ['observed', sc && sc.first ? t('dataset.observed_range', { first: sc.first, last: sc.last }) : null],
    ['frequency', frequencyName(m.frequency)],
    ['period', periodName(m.period)],
    ['level', m.territory ? levelName(m.territory) : null],
    ['kinds', (m.kinds || []).map(kindName).join(', ')],
    ['measures', measuresText(m, detail, sc)],
    ['keywords', (m.keywords || []).length ? h('ul', { class: 'tags' }, m.keywords.map((k) => h('li', null, k))) : null],
    ['version', t('dataset.version_line', { v: detail.version, date: fmtDate(detail.published_at), n: fmtNumber(detail.n_observations) })],
  ];
  return h('dl', { class: 'meta-list' }, rows.filter(([, v]) => v).map(([k, v]) => [h('dt', null, t(`dataset.meta.${k}`)), h('dd', null, v)]));
}

// The disclosure rules in plain words, from the numbers the server used.
function disclosureRules(d) {
  const r = d.rules || {};
  const p = [];
  if (r.min_sites !== undefined) {
    p.push(r.max_share !== undefined && r.max_share < 1
      ? t('dataset.rule_primary', { min_sites: fmtNumber(r.min_sites), share: fmtNumber(r.max_share * 100) })
      : t('dataset.rule_primary_sites', { min_sites: fmtNumber(r.min_sites) }));
  }
  if (r.secondary) p.push(t('dataset.rule_secondary'));
  if (r.margins) p.push(t('dataset.rule_margins'));
  if (r.across) p.push(t('dataset.rule_across'));
  if (r.limits) p.push(t('dataset.rule_limits'));
  return p.map((x) => h('p', null, x));
}

function reasonTable(d) {
  const reasons = Object.entries(d.by_reason || {}).filter(([, n]) => n > 0);
  if (!reasons.length) return null;
  const share = d.rules && d.rules.max_share !== undefined ? fmtNumber(d.rules.max_share * 100) : '';
  const minSites = d.rules && d.rules.min_sites !== undefined ? fmtNumber(d.rules.min_sites) : '';
  return h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('dataset.reasons_caption') },
    h('table', { class: 'dataset-reasons' },
      h('caption', null, t('dataset.reasons_caption')),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('dataset.reason')), h('th', { scope: 'col', class: 'num' }, t('dataset.cells')))),
      h('tbody', null, reasons.map(([k, n]) => h('tr', null,
        h('th', { scope: 'row' }, known(`dataset.reason.${k}`, k).replace('{min_sites}', minSites).replace('{share}', share)),
        h('td', { class: 'num' }, fmtNumber(n)))))));
}

function disclosureSection(detail) {
  const d = detail.disclosure;
  const body = [];
  if (!d) {
    body.push(h('p', null, t(detail.provenance ? 'dataset.disclosure_indicator' : 'dataset.disclosure_none')));
  } else if (d.policy === 'open') {
    body.push(h('p', null, pick({ fr: d.rule_fr || d.rule, en: d.rule || d.rule_fr }) || t('dataset.disclosure_open')));
  } else {
    body.push(disclosureRules(d));
  }
  if (d && d.cells !== undefined) {
    const suppressed = Object.values(d.suppressed || {}).reduce((a, b) => a + b, 0);
    body.push(h('p', { class: 'dataset-cells' }, t('dataset.cells_summary', {
      cells: fmtNumber(d.cells), published: fmtNumber(d.published), suppressed: fmtNumber(suppressed),
    })));
    if (suppressed) body.push(reasonTable(d));
    if ((d.datasets_considered || []).length) {
      body.push(h('p', null, t('dataset.considered'), ' ',
        d.datasets_considered.map((s, i) => [i ? ', ' : '', h('a', { href: `/donnees/${s}` }, s)])));
    }
  }
  return section('ds-disclosure', t('dataset.disclosure'), body);
}

function section(id, title, ...body) {
  return h('section', { class: 'dataset-section', 'aria-labelledby': id }, h('h2', { id }, title), body);
}

function downloads(detail) {
  const list = detail.resources || [];
  if (!list.length) return section('ds-files', t('dataset.files'), h('p', null, t('dataset.files_none')));
  return section('ds-files', t('dataset.files'),
    h('p', null, t('dataset.files_lead')),
    h('ul', { class: 'dataset-files' }, list.map((r) => h('li', { class: 'dataset-file', dataset: { format: r.format } },
      h('a', { href: r.url, download: r.name, class: 'btn btn-secondary', type: r.media_type },
        t('dataset.download', { format: known(`dataset.format.${r.format}`, r.format.toUpperCase()) })),
      h('span', { class: 'meta' }, ' ', r.name, ' · ', fmtBytes(r.bytes)),
      h('span', { class: 'dataset-sha' },
        h('span', { class: 'meta' }, t('dataset.sha256'), ' '),
        h('code', { class: 'sha256' }, r.sha256), ' ',
        copyButton(r.sha256))))));
}

function versionsSection(detail) {
  const list = [...(detail.versions || [])].sort((a, b) => b.version - a.version);
  return section('ds-versions', t('dataset.versions'),
    detail.version !== detail.latest
      ? h('p', { class: 'notice' }, t('dataset.old_version', { v: detail.version, latest: detail.latest }), ' ',
        h('a', { href: `/donnees/${detail.slug}` }, t('dataset.see_latest')))
      : null,
    h('ul', { class: 'dataset-versions' }, list.map((v) => {
      const text = t('dataset.version_item', { v: v.version, date: fmtDate(v.published_at), n: fmtNumber(v.n_observations) });
      return h('li', null, v.version === detail.version
        ? [h('a', { href: `/donnees/${detail.slug}?version=${v.version}`, 'aria-current': 'page' }, text), ' ', h('span', { class: 'badge' }, t('dataset.shown'))]
        : h('a', { href: `/donnees/${detail.slug}?version=${v.version}` }, text));
    })));
}

function citation(detail) {
  const m = detail.metadata || {};
  const url = `${location.origin}/donnees/${detail.slug}?version=${detail.version}`;
  return t('dataset.cite_text', {
    publisher: m.publisher || t('dataset.cite_platform'),
    year: String(detail.published_at || '').slice(0, 4),
    title: pick(m.title),
    v: detail.version,
    date: fmtDate(detail.published_at),
    url,
    license: m.license ? licenseName(m.license) : '',
  });
}

function citeSection(detail) {
  const text = citation(detail);
  return section('ds-cite', t('dataset.cite'),
    h('p', { class: 'dataset-citation', id: 'ds-citation-text' }, text),
    h('p', null, copyButton(text)));
}

function provenanceSection(detail) {
  const p = detail.provenance;
  if (!p) return null;
  const rows = [
    ['method', p.method],
    ['unit', p.unit ? unitName(p.unit) : null],
    ['script', p.script_sha256 ? [h('code', { class: 'sha256' }, p.script_sha256), ' ',
      h('a', { href: `/api/v1/indicators/${detail.slug}/source` }, t('dataset.prov.source'))] : null],
    ['reads', (p.reads || []).length ? h('ul', null, p.reads.map((r) => h('li', null,
      h('a', { href: `/donnees/${r.slug}?version=${r.version}` }, t('dataset.prov.read', { slug: r.slug, v: r.version }))))) : null],
  ];
  return section('ds-provenance', t('dataset.provenance'),
    h('p', null, t('dataset.provenance_lead')),
    h('dl', { class: 'meta-list' }, rows.filter(([, v]) => v).map(([k, v]) => [h('dt', null, t(`dataset.prov.${k}`)), h('dd', null, v)])));
}

/* ---------- filters ---------- */

function selectField(id, label, name, value, options, allLabel) {
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('select', { id, name },
      allLabel ? h('option', { value: '' }, allLabel) : null,
      options.map(([v, text]) => h('option', { value: v, selected: v === value }, text))));
}

function periodField(id, name, label, value, grain, sc) {
  const g = GRAINS[grain] || GRAINS.day;
  const shown = grain === 'hour' ? value.slice(0, 10) : value;
  const hintId = `${id}-hint`;
  const bound = (p) => (p ? (grain === 'hour' ? p.slice(0, 10) : p) : null);
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    // The range present says the form too (a browser without a month
    // picker shows a plain text box).
    h('span', { class: 'hint', id: hintId }, sc && sc.first
      ? t('dataset.period_hint_range', { first: bound(sc.first), last: bound(sc.last) })
      : t('dataset.period_hint', { fmt: t(`dataset.fmt.${g.fmt}`) })),
    h('input', {
      type: g.input, id, name, value: shown, 'aria-describedby': hintId,
      min: bound(sc && sc.first), max: bound(sc && sc.last),
      step: g.input === 'number' ? '1' : null, inputmode: g.input === 'number' ? 'numeric' : null,
      placeholder: t(`dataset.fmt.${g.fmt}`),
    }),
    h('p', { class: 'field-error', id: `${id}-error`, hidden: true }));
}

// The typed period, in the dataset's own form (an hour dataset filters
// whole days: 00 h of the first, 23 h of the last); false if malformed.
function apiPeriod(raw, grain, end) {
  const v = raw.trim();
  if (!v) return '';
  const g = GRAINS[grain] || GRAINS.day;
  if (!g.re.test(v)) return false;
  return grain === 'hour' ? `${v}T${end ? '23' : '00'}` : v;
}

function filterForm(ctx, detail, sc, f) {
  const grain = detail.metadata && detail.metadata.period;
  const levels = [...sc.levels.keys()];
  const level = f.territory_level || levels[0];
  const terr = [...((sc.levels.get(level)) || new Map()).keys()]
    .map((c) => [c, territoryName(level, c, sc)])
    .sort((a, b) => a[1].localeCompare(b[1], lang()));
  const sectors = [...sc.sectors].sort((a, b) => (a === TOTAL ? -1 : b === TOTAL ? 1 : sectorName(a).localeCompare(sectorName(b), lang())));
  const form = h('form', {
    class: 'dataset-filters', novalidate: true,
    onsubmit: (e) => {
      e.preventDefault();
      const el = form.elements;
      const next = {};
      for (const k of ['territory_level', 'territory', 'sector', 'kind']) next[k] = el[k] ? el[k].value : '';
      // A territory belongs to a level: changing the level drops it.
      if (el.territory_level && next.territory_level !== f.territory_level) next.territory = '';
      let bad = null;
      for (const [k, end] of [['period_from', false], ['period_to', true]]) {
        const v = apiPeriod(el[k].value, grain, end);
        const err = document.getElementById(`ds-${k}-error`);
        el[k].removeAttribute('aria-invalid');
        err.hidden = true;
        if (v === false) {
          el[k].setAttribute('aria-invalid', 'true');
          el[k].setAttribute('aria-describedby', `ds-${k}-hint ds-${k}-error`);
          fill(err, t('dataset.period_invalid', { fmt: t(`dataset.fmt.${(GRAINS[grain] || GRAINS.day).fmt}`) }));
          err.hidden = false;
          bad = bad || el[k];
        }
        next[k] = v || '';
      }
      if (bad) {
        bad.focus();
        return;
      }
      keepFocus('ds-apply');
      ctx.navigate(pageUrl(detail.slug, ctx.query.get('version'), next), true);
    },
  },
  h('fieldset', null,
    h('legend', null, t('dataset.filters')),
    h('div', { class: 'dataset-filter-grid' },
      levels.length > 1
        ? selectField('ds-territory_level', t('dataset.level'), 'territory_level', level, levels.map((l) => [l, levelName(l)]), null)
        : null,
      terr.length > 1
        ? selectField('ds-territory', level ? levelName(level) : t('dataset.territory'), 'territory', f.territory, terr, t('dataset.all'))
        : null,
      sectors.length > 1 ? selectField('ds-sector', t('dataset.sector'), 'sector', f.sector, sectors.map((s) => [s, sectorName(s)]), t('dataset.all')) : null,
      sc.kinds.size > 1 ? selectField('ds-kind', t('dataset.kind'), 'kind', f.kind, [...sc.kinds].map((k) => [k, kindName(k)]), t('dataset.all')) : null,
      periodField('ds-period_from', 'period_from', t('dataset.period_from'), f.period_from, grain, sc),
      periodField('ds-period_to', 'period_to', t('dataset.period_to'), f.period_to, grain, sc)),
    h('div', { class: 'dataset-filter-actions' },
      h('button', { type: 'submit', class: 'btn', id: 'ds-apply' }, t('dataset.apply')),
      h('a', { href: pageUrl(detail.slug, ctx.query.get('version'), {}) }, t('dataset.reset')))));
  return form;
}

/* ---------- table ---------- */

function tableColumns(detail, sc, f) {
  const skip = new Set(['site_name']);
  if (sc.levels.size <= 1 || f.territory_level) skip.add('territory_level');
  if (!sc.sectors.size) skip.add('sector');
  if (sc.kinds.size <= 1) skip.add('kind');
  const units = new Set(sc.units.values());
  if (units.size <= 1) skip.add('unit');
  const aggregated = detail.disclosure && detail.disclosure.policy === 'aggregated';
  if (!aggregated) {
    skip.add('n_sites');
    skip.add('status');
  }
  const level = detail.metadata && detail.metadata.territory;
  return (detail.columns || []).filter((c) => !skip.has(c.name)).map((c) => {
    let label = known(`dataset.col.${c.name}`, pick(c.title) || c.name);
    const only = f.territory_level || (sc.levels.size <= 1 && level);
    if (c.name === 'territory' && only) label = levelName(only);
    if (c.name === 'value' && units.size === 1) label = `${label} (${unitName([...units][0])})`;
    return { ...c, label, num: c.type === 'number' || c.type === 'integer' };
  });
}

function cell(col, row, sc) {
  const v = row[col.name];
  switch (col.name) {
    case 'value':
      if (v === null || v === undefined) {
        return h('td', { class: 'gap secret', 'aria-describedby': 'ds-secret-note' }, t('dataset.secret'));
      }
      return h('td', { class: 'num' }, fmtNumber(v));
    case 'territory': return h('td', null, territoryName(row.territory_level, v, sc));
    case 'territory_level': return h('td', null, levelName(v));
    case 'sector': return h('td', null, v ? sectorName(v) : '');
    case 'kind': return h('td', null, kindName(v));
    case 'unit': return h('td', null, unitName(v));
    case 'status': return h('td', null, known(`dataset.status.${v}`, v));
    default:
      if (col.num) return h('td', { class: 'num' }, v === null || v === undefined ? '' : fmtNumber(v));
      return h('td', null, v === null || v === undefined ? '' : String(v));
  }
}

function recordsTable(cols, rows, sc, caption) {
  return h('table', { class: 'dataset-records' },
    // The h3 above says it to the eye; the caption, to a screen reader
    // (visible, it would scroll sideways with a wide table).
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', null, h('tr', null, cols.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)))),
    h('tbody', null, rows.map((r) => h('tr', null, cols.map((c) => cell(c, r, sc))))));
}

async function loadTable(ctx, detail, sc, f, box) {
  const cols = tableColumns(detail, sc, f);
  let r;
  try {
    r = await api('GET', `/api/v1/datasets/${detail.slug}/records`, { query: { ...recordsQuery(detail, f), limit: PAGE } });
  } catch (err) {
    if (ctx.current()) fill(box, errorBox(err, { retry: () => loadTable(ctx, detail, sc, f, box) }));
    return null;
  }
  if (!ctx.current()) return null;
  const rows = r.data.records;
  if (!rows.length) {
    fill(box, h('p', { class: 'notice' }, t('dataset.no_rows')));
    return 0;
  }
  const table = recordsTable(cols, rows, sc, t('dataset.table_caption', { title: pick(detail.metadata.title) }));
  const tbody = table.tBodies[0];
  const status = h('p', { class: 'meta', role: 'status' }, tn('dataset.rows_shown', rows.length));
  let next = r.data.next;
  const more = h('button', {
    type: 'button', class: 'btn btn-secondary',
    onclick: async () => {
      more.disabled = true;
      try {
        const m = await api('GET', next);
        if (!ctx.current()) return;
        tbody.append(...m.data.records.map((row) => h('tr', null, cols.map((c) => cell(c, row, sc)))));
        next = m.data.next;
        fill(status, tn('dataset.rows_shown', tbody.rows.length));
        announce(tn('dataset.rows_more', m.data.records.length));
        more.hidden = !next;
        more.disabled = false;
      } catch (err) {
        more.disabled = false;
        more.after(errorBox(err));
      }
    },
  }, t('ui.more'));
  more.hidden = !next;
  const hasSecret = rows.some((x) => x.value === null || x.value === undefined) || (detail.disclosure && detail.disclosure.policy === 'aggregated');
  fill(box,
    hasSecret ? h('p', { class: 'dataset-secret-note', id: 'ds-secret-note' }, t('dataset.secret_note')) : null,
    h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('dataset.table_region') }, table),
    status,
    h('p', null, more));
  return rows.length;
}

/* ---------- chart ---------- */

// "2024-03-05T10" (an hour) -> unix seconds; the other forms as chart.js reads them.
function toTime(p) {
  const s = String(p);
  return /T\d{2}$/.test(s) ? Date.parse(`${s}:00:00Z`) / 1000 : periodToTime(s);
}

async function chartRows(detail, f) {
  const fields = ['period', 'territory_level', 'territory', 'sector', 'kind', 'value', 'unit', 'status'];
  const cols = new Set((detail.columns || []).map((c) => c.name));
  const q = { ...recordsQuery(detail, f), fields: fields.filter((x) => cols.has(x)), limit: SCAN_PAGE };
  let r = await api('GET', `/api/v1/datasets/${detail.slug}/records`, { query: q });
  const rows = [...r.data.records];
  for (let i = 1; i < CHART_PAGES && r.data.next; i++) {
    r = await api('GET', r.data.next);
    rows.push(...r.data.records);
  }
  if (!r.data.next) return { rows, truncated: false };
  // Cut short: the oldest period read may be partial, leave it out.
  const oldest = rows[rows.length - 1].period;
  return { rows: rows.filter((x) => x.period !== oldest), truncated: true };
}

// Series: one per territory, sector and kind present. Without a chosen
// sector, the total over sectors stands for them when there is one.
function buildSeries(rows, f, sc) {
  let use = rows;
  if (!f.sector && !f.territory && use.some((r) => r.sector === TOTAL)) use = use.filter((r) => r.sector === TOTAL);
  // One unit per chart: the most common one.
  const unitCount = new Map();
  for (const r of use) unitCount.set(r.unit, (unitCount.get(r.unit) || 0) + 1);
  const unit = [...unitCount.entries()].sort((a, b) => b[1] - a[1])[0];
  if (unit) use = use.filter((r) => r.unit === unit[0]);
  const periods = [...new Set(use.map((r) => r.period))].sort();
  const index = new Map(periods.map((p, i) => [p, i]));
  const groups = new Map();
  for (const r of use) {
    const k = `${r.territory_level}|${r.territory}|${r.sector}|${r.kind}`;
    if (!groups.has(k)) groups.set(k, { r, values: new Array(periods.length).fill(null) });
    if (r.value !== null && r.value !== undefined) groups.get(k).values[index.get(r.period)] = r.value;
  }
  // A line with no value at all draws nothing: it is named in a note.
  const all = [...groups.values()].filter((g) => g.values.some((v) => v !== null));
  const hidden = [...groups.values()].filter((g) => !all.includes(g));
  // A label names what differs between the lines, the secret ones included.
  const varies = (fn) => new Set([...groups.values()].map((g) => fn(g.r))).size > 1;
  const vTerr = varies((r) => `${r.territory_level}|${r.territory}`);
  const vSector = varies((r) => r.sector);
  const vKind = varies((r) => r.kind);
  const label = (g) => {
    const parts = [];
    if (vTerr || (!vSector && !vKind)) parts.push(territoryName(g.r.territory_level, g.r.territory, sc));
    if (vSector && g.r.sector) parts.push(sectorName(g.r.sector));
    if (vKind) parts.push(kindName(g.r.kind));
    return parts.join(' · ');
  };
  const drawn = all.slice(0, CHART_SERIES);
  const series = drawn.map((g) => ({ label: label(g), values: g.values }));
  // The gaps of the lines drawn: secret cells, not periods without a row.
  const drawnRows = use.filter((r) => drawn.some((g) => g.r.territory === r.territory && g.r.territory_level === r.territory_level && g.r.sector === r.sector && g.r.kind === r.kind));
  const suppressed = drawnRows.filter((r) => r.value === null || r.value === undefined).length;
  return {
    x: periods.map(toTime), series, total: all.length, unit: unit ? unit[0] : '', suppressed,
    allSecret: hidden.map(label),
  };
}

async function loadChart(ctx, detail, sc, f, box) {
  let data;
  try {
    data = await chartRows(detail, f);
  } catch (err) {
    if (ctx.current()) fill(box, errorBox(err));
    return;
  }
  if (!ctx.current()) return;
  const s = buildSeries(data.rows, f, sc);
  const secretNote = s.allSecret.length
    ? h('p', { class: 'meta' }, tn('dataset.chart_all_secret', s.allSecret.length, { names: s.allSecret.join(', ') }))
    : null;
  if (!s.x.length || !s.series.length) {
    fill(box, h('p', { class: 'notice' }, t(s.allSecret.length ? 'dataset.chart_nothing' : 'dataset.no_rows')));
    return;
  }
  const notes = [];
  if (s.total > s.series.length) notes.push(t('dataset.chart_some', { shown: s.series.length, total: s.total }));
  if (data.truncated) notes.push(t('dataset.chart_truncated', { n: fmtNumber(data.rows.length) }));
  const totalOnly = !f.sector && !f.territory && sc.sectors.has(TOTAL);
  fill(box,
    lineChart({
      title: t(totalOnly ? 'dataset.chart_title_total' : 'dataset.chart_title', { title: pick(detail.metadata.title) }),
      unit: unitName(s.unit),
      x: s.x,
      series: s.series,
      gapNote: s.suppressed ? tn('dataset.chart_gaps', s.suppressed) : t('dataset.chart_missing'),
    }),
    secretNote,
    notes.map((n) => h('p', { class: 'meta' }, n)));
}

/* ---------- the page ---------- */

function notFoundPage(ctx, err, slug, version) {
  fill(ctx.main,
    pageTitle(t(version ? 'dataset.version_not_found_title' : 'dataset.not_found_title')),
    h('p', null, t(version ? 'dataset.version_not_found' : 'dataset.not_found', { slug, v: version })),
    errorBox(err),
    h('ul', null,
      version ? h('li', null, h('a', { href: `/donnees/${slug}` }, t('dataset.see_latest'))) : null,
      h('li', null, h('a', { href: '/donnees' }, t('dataset.back_catalog')))));
}

function apiSection(detail, f) {
  const records = apiUrl(`/api/v1/datasets/${detail.slug}/records`, recordsQuery(detail, f));
  const meta = apiUrl(`/api/v1/datasets/${detail.slug}`, { version: detail.version });
  return section('ds-api', t('dataset.api'),
    h('p', null, t('dataset.api_lead')),
    h('ul', { class: 'dataset-api' },
      h('li', null, t('dataset.api_records'), ' ', h('a', { href: records }, h('code', null, records)), ' ', copyButton(records)),
      h('li', null, t('dataset.api_meta'), ' ', h('a', { href: meta }, h('code', null, meta)))));
}

export async function render(ctx) {
  preloadCharts(); // uPlot travels while the data is asked for
  const slug = ctx.params[0];
  const vq = ctx.query.get('version');
  const version = /^[1-9]\d*$/.test(vq || '') ? vq : null;
  const key = `${slug}@${version || ''}`;
  let detail;
  let sc;
  if (cache && cache.key === key) {
    ({ detail, sc } = cache);
  } else {
    try {
      detail = await loadDetail(slug, version);
    } catch (err) {
      if (!ctx.current()) return;
      if (err.status === 404) notFoundPage(ctx, err, slug, version);
      else fill(ctx.main, pageTitle(t('dataset.error_title')), errorBox(err, { retry: () => ctx.navigate(location.pathname + location.search, true) }));
      return;
    }
    if (!ctx.current()) return;
    try {
      sc = await scan(detail);
    } catch (err) {
      sc = null; // The page still says what the dataset is; the preview shows the error
      if (!ctx.current()) return;
      fill(ctx.main, pageTitle(pick(detail.metadata.title)), errorBox(err, { retry: () => ctx.navigate(location.pathname + location.search, true) }));
      return;
    }
    if (!ctx.current()) return;
    cache = { key, detail, sc };
  }
  const f = readFilters(ctx.query, detail, sc);
  const m = detail.metadata || {};
  const chartBox = h('div', { class: 'dataset-chart' }, loading());
  const tableBox = h('div', { class: 'dataset-table' }, loading());
  fill(ctx.main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '/donnees' }, t('dataset.back_catalog'))),
    pageTitle(pick(m.title)),
    h('p', { class: 'lead' }, pick(m.description)),
    section('ds-about', t('dataset.about'), metaList(detail, sc)),
    downloads(detail),
    section('ds-explore', t('dataset.explore'),
      filterForm(ctx, detail, sc, f),
      h('h3', null, t('dataset.chart')), chartBox,
      h('h3', null, t('dataset.table')), tableBox),
    apiSection(detail, f),
    disclosureSection(detail),
    provenanceSection(detail),
    versionsSection(detail),
    citeSection(detail));
  const [n] = await Promise.all([loadTable(ctx, detail, sc, f, tableBox), loadChart(ctx, detail, sc, f, chartBox)]);
  if (!ctx.current()) return;
  if (n !== null && pendingFocus()) announce(n ? tn('dataset.rows_shown', n) : t('dataset.no_rows'));
  restoreFocus();
}
