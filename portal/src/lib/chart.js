// chart.js -- a line chart (uPlot, loaded only by the pages that draw one)
// with its table alternative beside it. Time on x, one line per series;
// a null value is a gap in the line, never a zero: the table says why.
//
// lineChart({title, unit, x: [unix seconds], series: [{label, values}],
//            gapNote, gapLabel}) -> element. gapLabel names an empty cell in
// the table ("secret" by default: for a published dataset, a missing value
// is a suppressed cell; an indicator may say "no data" instead).
import { h, uid } from './dom.js';
import { t, lang, fmtNumber, fmtDate } from './i18n.js';

const COLORS = ['#0b4f6c', '#c2410c', '#15803d', '#7e22ce', '#a16207', '#be123c', '#0369a1', '#4d7c0f'];

// Fetched as soon as a page that may draw a chart loads, alongside its
// API calls, not after them.
let uplot = null;
export function preloadCharts() {
  if (!uplot) uplot = import('uplot');
  return uplot;
}

export function lineChart(spec) {
  const id = uid('chart');
  const box = h('div', { class: 'chart', role: 'img', 'aria-labelledby': `${id}-cap` });
  const gaps = spec.series.reduce((n, s) => n + s.values.filter((v) => v === null || v === undefined).length, 0);
  const fig = h('figure', { class: 'chart-figure' },
    h('figcaption', { id: `${id}-cap` }, spec.title || '', spec.unit ? ` (${spec.unit})` : ''),
    box,
    gaps ? h('p', { class: 'chart-gaps' }, spec.gapNote || t('chart.gaps', { n: fmtNumber(gaps) })) : null,
    h('details', { class: 'chart-table', open: spec.x.length < 2 },
      h('summary', null, t('chart.table')),
      h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('chart.table') },
        h('table', null,
          h('caption', { class: 'visually-hidden' }, spec.title || ''),
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('chart.period')), spec.series.map((s) => h('th', { scope: 'col' }, s.label)))),
          h('tbody', null, spec.x.map((x, i) => h('tr', null,
            h('th', { scope: 'row' }, fmtDate(new Date(x * 1000).toISOString())),
            spec.series.map((s) => {
              const v = s.values[i];
              return v === null || v === undefined ? h('td', { class: 'gap' }, spec.gapLabel || t('chart.suppressed')) : h('td', { class: 'num' }, fmtNumber(v));
            })))))))
  );
  whenNear(box, () => draw(box, spec));
  return fig;
}

// A chart is drawn when it comes near the screen: a long sheet with five
// charts shows its text first, and a phone draws only what is read.
function whenNear(el, fn) {
  if (typeof IntersectionObserver === 'undefined') {
    fn();
    return;
  }
  const io = new IntersectionObserver((entries) => {
    if (!entries.some((e) => e.isIntersecting)) return;
    io.disconnect();
    fn();
  }, { rootMargin: '300px 0px' });
  io.observe(el);
}

async function draw(box, spec) {
  // One period is no line: the table, open, says it better
  if (spec.x.length < 2) {
    box.hidden = true;
    return;
  }
  const { default: uPlot } = await preloadCharts();
  const width = () => Math.max(280, Math.min(box.clientWidth || 640, 1100));
  const opts = {
    width: width(),
    height: 280,
    series: [{ label: t('chart.period') }, ...spec.series.map((s, i) => ({
      label: s.label, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: false,
      points: { show: spec.x.length < 60 },
      // idx is null while no point is hovered: nothing to say yet
      value: (u, v, si, idx) => {
        if (idx === null || idx === undefined) return '–';
        return v === null || v === undefined ? spec.gapLabel || t('chart.suppressed') : fmtNumber(v);
      },
    }))],
    axes: [{}, { values: (u, vals) => vals.map((v) => fmtNumber(v)), size: 70 }],
    scales: { x: { time: true } },
    // Periods are UTC (a month is 2024-03, not a local midnight), and the
    // axis speaks the reader's language
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'UTC'),
    fmtDate: (tpl) => uPlot.fmtDate(tpl, dateNames()),
    legend: { live: true },
  };
  const plot = new uPlot(opts, [spec.x, ...spec.series.map((s) => s.values.map((v) => (v === undefined ? null : v)))], box);
  const ro = new ResizeObserver(() => plot.setSize({ width: width(), height: 280 }));
  ro.observe(box);
}

function dateNames() {
  const loc = lang() === 'fr' ? 'fr-FR' : 'en-GB';
  const f = (opts) => new Intl.DateTimeFormat(loc, { ...opts, timeZone: 'UTC' }).format;
  const months = (style) => [...Array(12)].map((_, m) => f({ month: style })(Date.UTC(2020, m, 1)));
  // 2020-01-05 was a Sunday: uPlot's weeks start on Sunday
  const days = (style) => [...Array(7)].map((_, d) => f({ weekday: style })(Date.UTC(2020, 0, 5 + d)));
  return { MMMM: months('long'), MMM: months('short'), WWWW: days('long'), WWW: days('short') };
}

// "2024-03", "2024", "2024-03-05", "2024-03-05T10:00" -> unix seconds (UTC).
export function periodToTime(p) {
  const s = String(p);
  let m = s.match(/^(\d{4})$/);
  if (m) return Date.UTC(+m[1], 0, 1) / 1000;
  m = s.match(/^(\d{4})-(\d{2})$/);
  if (m) return Date.UTC(+m[1], +m[2] - 1, 1) / 1000;
  const d = Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);
  return Number.isNaN(d) ? null : d / 1000;
}
