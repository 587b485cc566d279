// sheet.js -- one practice sheet, whole, in reading order: its text (the
// Markdown the server renders, ?render=html), its metadata, its live
// indicators as charts with their latest value and target, what it links
// to; and, for whoever may act on it, the moderation actions its state
// allows: the sheet's JSON says what the caller may do (may.edit,
// may.moderate).
import { h, fill, trustedHtml } from '../lib/dom.js';
import { t, tn, fmtNumber, fmtDate } from '../lib/i18n.js';
import { api, apiUrl } from '../lib/api.js';
import { pageTitle, errorBox, copyButton } from '../lib/ui.js';
import { lineChart, periodToTime, preloadCharts } from '../lib/chart.js';
import { label, stateBadge, territoryText, isWriter, IMPACTS, LEVELS } from './registry.js';

// The Markdown fields, in the order a reader follows them.
const TEXT_BEFORE_STEPS = ['context', 'objectives', 'scope'];
const TEXT_AFTER_STEPS = ['what_was_done', 'results', 'lessons', 'transferability', 'local_specifics'];

export async function render(ctx) {
  preloadCharts(); // uPlot travels while the data is asked for
  const id = ctx.params[0];
  await show(ctx, id, null);
}

// Loads and draws the sheet; flash: a success message to put on top.
async function show(ctx, id, flash) {
  const [sheetRes] = await Promise.allSettled([
    api('GET', `/api/v1/practices/${id}`, { query: { render: 'html' } }),
  ]);
  if (!ctx.current()) return;
  if (sheetRes.status === 'rejected') {
    fill(ctx.main, pageTitle(t('sheet.title_error')), errorBox(sheetRes.reason, { retry: () => show(ctx, id, null) }),
      h('p', null, h('a', { href: '/registre' }, t('sheet.back'))));
    return;
  }
  const s = sheetRes.value.data;
  // The server says what this caller may do (s.may); the moderation log
  // is theirs to read only then.
  const mayEdit = !!(s.may && s.may.edit);
  const histRes = mayEdit
    ? await api('GET', `/api/v1/practices/${id}/history`).then((r) => ({ status: 'fulfilled', value: r }), (e) => ({ status: 'rejected', reason: e }))
    : { status: 'rejected' };
  if (!ctx.current()) return;
  const history = histRes.status === 'fulfilled' ? histRes.value.data.history : null;
  const doc = s.document || {};
  const flashBox = flash ? h('div', { class: 'success', role: 'status', tabindex: '-1' }, flash) : null;

  fill(ctx.main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '/registre' }, t('sheet.back'))),
    pageTitle(doc.title || t('sheet.untitled')),
    flashBox,
    stateNotice(s, mayEdit),
    doc.summary ? h('p', { class: 'lead sheet-summary' }, doc.summary) : null,
    mayEdit ? actions(ctx, s, id) : null,
    isWriter() && s.published_revision ? reuseForm(ctx, id) : null,
    metadata(s, doc),
    textSections(s, doc, TEXT_BEFORE_STEPS),
    steps(s, doc),
    textSections(s, doc, TEXT_AFTER_STEPS),
    indicators(s),
    people(doc),
    budget(doc),
    links(s, doc),
    history ? historySection(history) : null,
    about(s, id));
  if (flashBox) flashBox.focus();
}

function stateNotice(s, mayEdit) {
  if (!mayEdit || s.state === 'published') return null;
  return h('p', { class: 'notice sheet-state' }, stateBadge(s.state), ' ',
    s.published_revision ? t('sheet.state_note_published') : t('sheet.state_note_unpublished'));
}

// The buttons the state allows, for the roles that may press them.
function actions(ctx, s, id) {
  const box = h('div', { class: 'sheet-actions-status' });
  const mod = !!(s.may && s.may.moderate);
  const list = [];
  if (s.state !== 'archived') list.push(h('a', { href: `/registre/${id}/modifier`, class: 'btn' }, t('sheet.edit')));
  if (s.state === 'draft') list.push(actionButton('submit', t('sheet.submit')));
  if (s.state === 'in_review') {
    if (mod) list.push(actionButton('publish', t('sheet.publish')));
    list.push(actionButton('withdraw', t('sheet.withdraw'), 'btn-secondary'));
  }
  if (mod && s.state === 'archived') list.push(actionButton('reopen', t('sheet.reopen')));
  const extra = [];
  if (mod && s.state === 'in_review') extra.push(rejectForm());
  if (mod && s.state !== 'archived') extra.push(archiveControl());

  async function run(action, body, btn) {
    if (btn) btn.disabled = true;
    fill(box, h('p', { class: 'loading', role: 'status' }, t('sheet.working')));
    try {
      await api('POST', `/api/v1/practices/${id}/${action}`, body ? { body } : {});
      if (!ctx.current()) return;
      await show(ctx, id, t(`sheet.done_${action}`));
    } catch (err) {
      if (!ctx.current()) return;
      if (btn) btn.disabled = false;
      // Someone moved the sheet first: say so and offer the fresh one.
      const reload = h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => show(ctx, id, null) }, t('sheet.reload'));
      fill(box, errorBox(err, { title: err.code === 'conflict' ? t('sheet.conflict') : null }), err.code === 'conflict' ? reload : null);
      box.querySelector('.error-box').setAttribute('tabindex', '-1');
      box.querySelector('.error-box').focus();
    }
  }

  function actionButton(action, text, cls) {
    const btn = h('button', { type: 'button', class: `btn ${cls || ''}`, onclick: () => run(action, null, btn) }, text);
    return btn;
  }

  function rejectForm() {
    const errId = 'reject-error';
    const area = h('textarea', { id: 'reject-comment', name: 'comment', rows: '3', required: true, 'aria-describedby': 'reject-hint' });
    const err = h('p', { id: errId, class: 'field-error', hidden: true });
    const form = h('form', {
      class: 'reject-form', novalidate: true,
      onsubmit: (e) => {
        e.preventDefault();
        const comment = area.value.trim();
        if (!comment) {
          fill(err, t('sheet.reject_required'));
          err.hidden = false;
          area.setAttribute('aria-invalid', 'true');
          area.setAttribute('aria-describedby', `reject-hint ${errId}`);
          area.focus();
          return;
        }
        run('reject', { comment }, form.querySelector('button'));
      },
    },
    h('div', { class: 'field' },
      h('label', { for: 'reject-comment' }, t('sheet.reject_label')),
      h('span', { class: 'hint', id: 'reject-hint' }, t('sheet.reject_hint')),
      err, area),
    h('button', { type: 'submit', class: 'btn btn-danger' }, t('sheet.reject')));
    return h('details', { class: 'sheet-reject' }, h('summary', null, t('sheet.reject')), form);
  }

  // Archiving hides the sheet from the public: a second click confirms.
  function archiveControl() {
    const wrap = h('div', { class: 'sheet-archive' });
    const ask = h('button', {
      type: 'button', class: 'btn btn-secondary',
      onclick: () => {
        const yes = h('button', { type: 'button', class: 'btn btn-danger', onclick: () => run('archive', null, yes) }, t('sheet.archive_confirm'));
        const no = h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { fill(wrap, ask); ask.focus(); } }, t('sheet.cancel'));
        fill(wrap, h('p', null, t('sheet.archive_warning')), h('p', { class: 'btn-row' }, yes, ' ', no));
        yes.focus();
      },
    }, t('sheet.archive'));
    fill(wrap, ask);
    return wrap;
  }

  return h('section', { class: 'sheet-actions', 'aria-labelledby': 'sheet-actions-h' },
    h('h2', { id: 'sheet-actions-h', class: 'visually-hidden' }, t('sheet.actions')),
    h('p', { class: 'btn-row' }, list),
    extra, box);
}

// A published sheet copied into a new draft for the writer's territory.
function reuseForm(ctx, id) {
  const box = h('div', { class: 'reuse-status' });
  const field = (name, text, control, hint) => h('div', { class: 'field' },
    h('label', { for: `reuse-${name}` }, text),
    hint ? h('span', { class: 'hint', id: `reuse-${name}-hint` }, hint) : null,
    Object.assign(control, { id: `reuse-${name}`, name }));
  const form = h('form', {
    class: 'reuse-form', novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      const territory = { level: form.elements.level.value, code: form.elements.code.value.trim(), name: form.elements.name.value.trim() };
      const btn = form.querySelector('button');
      btn.disabled = true;
      try {
        const { data } = await api('POST', `/api/v1/practices/${id}/reuse`, { body: { territory } });
        if (ctx.current()) ctx.navigate(`/registre/${data.id}/modifier`);
      } catch (err) {
        btn.disabled = false;
        const eb = errorBox(err);
        eb.setAttribute('tabindex', '-1');
        fill(box, eb);
        eb.focus();
      }
    },
  },
  h('p', null, t('sheet.reuse_text')),
  h('div', { class: 'reuse-row' },
    field('level', t('editor.f_level'), h('select', null, LEVELS.map((l) => h('option', { value: l, selected: l === 'epci' }, label('level', l))))),
    field('code', t('editor.f_code'), h('input', { type: 'text', maxlength: '9', autocomplete: 'off', 'aria-describedby': 'reuse-code-hint' }), t('sheet.reuse_code_hint')),
    field('name', t('editor.f_tname'), h('input', { type: 'text', maxlength: '200', autocomplete: 'off' }))),
  box,
  h('button', { type: 'submit', class: 'btn btn-secondary' }, t('sheet.reuse_submit')));
  return h('details', { class: 'sheet-reuse' }, h('summary', null, t('sheet.reuse')), form);
}

function metadata(s, doc) {
  const rows = [];
  const add = (dt, dd) => {
    if (dd === null || dd === undefined || dd === '' || (Array.isArray(dd) && !dd.length)) return;
    rows.push(h('dt', null, dt), h('dd', null, dd));
  };
  add(t('sheet.territory'), territoryText(doc.territory));
  add(t('sheet.status'), label('status', doc.status));
  add(t('sheet.priority'), label('priority', doc.priority));
  add(t('sheet.sector'), label('sector', doc.sector));
  add(t('sheet.themes'), doc.themes && doc.themes.length
    ? h('ul', { class: 'tags' }, doc.themes.map((x) => h('li', null, label('theme', x)))) : null);
  if (doc.impacts) {
    const imp = IMPACTS.filter((k) => doc.impacts[k]).map((k) => h('li', null, `${label('impact', k)} : ${label('rating', doc.impacts[k])}`));
    add(t('sheet.impacts'), imp.length ? h('ul', { class: 'plain' }, imp) : null);
  }
  add(t('sheet.start'), doc.start);
  add(t('sheet.end'), doc.end);
  add(t('sheet.published_at'), s.published_at ? fmtDate(s.published_at) : null);
  add(t('sheet.updated_at'), fmtDate(s.updated_at));
  add(t('sheet.tags'), doc.tags && doc.tags.length ? h('ul', { class: 'tags' }, doc.tags.map((x) => h('li', null, x))) : null);
  add(t('sheet.contact'), doc.contact);
  add(t('sheet.licence'), doc.licence);
  add(t('sheet.reuses'), tn('registry.reuses', s.reuses || 0));
  return h('section', { class: 'sheet-meta', 'aria-labelledby': 'sheet-meta-h' },
    h('h2', { id: 'sheet-meta-h' }, t('sheet.about_action')),
    h('dl', { class: 'meta-list' }, rows));
}

function textSections(s, doc, names) {
  const html = s.html || {};
  return names.filter((n) => doc[n]).map((n) => h('section', { class: 'sheet-text', 'aria-labelledby': `sec-${n}` },
    h('h2', { id: `sec-${n}` }, t(`sheet.field.${n}`)),
    html[n] ? trustedHtml('div', 'prose', html[n]) : h('p', { class: 'prose-plain' }, doc[n])));
}

function steps(s, doc) {
  if (!doc.steps || !doc.steps.length) return null;
  const html = (s.html && s.html.steps) || [];
  return h('section', { class: 'sheet-steps', 'aria-labelledby': 'sec-steps' },
    h('h2', { id: 'sec-steps' }, t('sheet.field.steps')),
    h('ol', { class: 'steps' }, doc.steps.map((st, i) => h('li', { class: st.done ? 'step done' : 'step' },
      h('h3', null, st.title),
      h('p', { class: 'meta' }, [st.date ? st.date : null, st.done ? t('sheet.step_done') : t('sheet.step_todo')].filter(Boolean).join(' · ')),
      html[i] ? trustedHtml('div', 'prose', html[i]) : (st.description ? h('p', null, st.description) : null)))));
}

// A live indicator: one line per territory (and sector) it follows.
function liveChart(li) {
  const periods = [...new Set(li.series.map((o) => o.period))].sort();
  const keys = [];
  const byKey = new Map();
  for (const o of li.series) {
    const key = o.sector && o.sector !== '_T' ? `${o.territory} · ${o.sector}` : o.territory;
    if (!byKey.has(key)) {
      byKey.set(key, new Map());
      keys.push(key);
    }
    byKey.get(key).set(o.period, o.value);
  }
  const x = periods.map(periodToTime);
  const title = li.label || li.title;
  return lineChart({
    title,
    // The label often names its unit already: "(kW) (kW)" says it twice.
    unit: li.unit && !String(title).includes(`(${li.unit})`) ? li.unit : null,
    x,
    series: keys.map((k) => ({ label: k, values: periods.map((p) => (byKey.get(k).has(p) ? byKey.get(k).get(p) : null)) })),
  });
}

function latestText(li) {
  if (!li.latest || !li.latest.length) return null;
  if (li.latest.length === 1) {
    const o = li.latest[0];
    return h('p', { class: 'latest' }, t('sheet.latest_one', { value: fmtNumber(o.value), unit: li.unit || '', period: o.period }));
  }
  return h('div', { class: 'latest' },
    h('p', null, t('sheet.latest_many', { period: li.latest[0].period })),
    h('ul', { class: 'plain latest-list' }, li.latest.map((o) => h('li', null,
      `${o.sector && o.sector !== '_T' ? `${o.territory} · ${o.sector}` : o.territory} : ${fmtNumber(o.value)} ${li.unit || ''}`))));
}

function targetText(li) {
  if (li.target) {
    const tg = li.target;
    const met = tg.met === true ? 'met' : tg.met === false ? 'not_met' : 'unknown';
    return h('p', { class: `target target-${met}` },
      h('span', { class: 'target-mark', 'aria-hidden': 'true' }, met === 'met' ? '✓ ' : met === 'not_met' ? '✗ ' : ''),
      t(`sheet.target_${met}`, { year: tg.year, value: fmtNumber(tg.value), unit: li.unit || '', latest: fmtNumber(tg.latest) }));
  }
  if (li.targets && li.targets.length) {
    return h('p', { class: 'target' }, t('sheet.targets', {
      list: li.targets.map((x) => `${x.year} : ${fmtNumber(x.value)} ${li.unit || ''}`.trim()).join(' ; '),
    }));
  }
  return null;
}

function indicators(s) {
  const live = s.live_indicators || [];
  const manual = s.manual_indicators || [];
  if (!live.length && !manual.length) return null;
  return h('section', { class: 'sheet-indicators', 'aria-labelledby': 'sec-ind' },
    h('h2', { id: 'sec-ind' }, t('sheet.indicators')),
    h('p', null, t('sheet.indicators_text')),
    live.map((li) => h('article', { class: 'indicator' },
      h('h3', null, li.label || li.title || li.slug),
      li.effect ? h('p', { class: 'meta' }, t(`sheet.effect_${li.effect}`)) : null,
      li.note ? h('p', { class: 'notice' }, t('sheet.no_values')) : null,
      latestText(li),
      targetText(li),
      // One period is no line: the latest values above say it all.
      li.series && new Set(li.series.map((o) => o.period)).size > 1 ? liveChart(li) : null,
      h('p', { class: 'meta' }, h('a', { href: `/donnees/${li.slug}` }, t('sheet.dataset_link', { title: li.title || li.slug })),
        li.version ? ` · ${t('sheet.dataset_version', { v: li.version, date: fmtDate(li.published_at) })}` : ''))),
    manual.map((m) => h('article', { class: 'indicator manual' },
      h('h3', null, m.name || ''),
      h('p', { class: 'meta' }, t('sheet.manual')),
      yearsTable(m))));
}

// A manual indicator's values and targets, year by year.
function yearsTable(m) {
  const years = [...new Set([...Object.keys(m.values || {}), ...Object.keys(m.targets || {})])].sort();
  if (!years.length) return null;
  const cell = (v) => (v === undefined ? '' : typeof v === 'boolean' ? (v ? t('sheet.yes') : t('sheet.no')) : `${fmtNumber(v)} ${m.unit || ''}`);
  return h('div', { class: 'table-scroll' }, h('table', null,
    h('caption', { class: 'visually-hidden' }, m.name || ''),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('sheet.year')), h('th', { scope: 'col', class: 'num' }, t('sheet.value')), h('th', { scope: 'col', class: 'num' }, t('sheet.target')))),
    h('tbody', null, years.map((y) => h('tr', null, h('th', { scope: 'row' }, y),
      h('td', { class: 'num' }, cell((m.values || {})[y])), h('td', { class: 'num' }, cell((m.targets || {})[y])))))));
}

function people(doc) {
  const parts = [];
  if (doc.people && doc.people.length) {
    parts.push(h('h3', null, t('sheet.people')), h('ul', null, doc.people.map((p) => h('li', null,
      h('strong', null, p.name), [p.role, p.organisation].filter(Boolean).length ? ` — ${[p.role, p.organisation].filter(Boolean).join(', ')}` : ''))));
  }
  if (doc.partners && doc.partners.length) {
    parts.push(h('h3', null, t('sheet.partners')), h('ul', null, doc.partners.map((p) => h('li', null,
      h('strong', null, p.name), p.role ? ` — ${p.role}` : ''))));
  }
  if (!parts.length) return null;
  return h('section', { class: 'sheet-people', 'aria-labelledby': 'sec-people' }, h('h2', { id: 'sec-people' }, t('sheet.who')), parts);
}

function budget(doc) {
  const b = doc.budget || [];
  const f = doc.funders || [];
  if (!b.length && !f.length) return null;
  const eur = (n) => (n === undefined || n === null ? '' : `${fmtNumber(n, 0)} €`);
  return h('section', { class: 'sheet-budget', 'aria-labelledby': 'sec-budget' },
    h('h2', { id: 'sec-budget' }, t('sheet.budget')),
    b.length ? h('div', { class: 'table-scroll' }, h('table', null,
      h('caption', { class: 'visually-hidden' }, t('sheet.budget')),
      h('thead', null, h('tr', null, ['budget_label', 'budget_kind', 'year', 'amount', 'funder'].map((k) => h('th', { scope: 'col', class: k === 'amount' ? 'num' : null }, t(`sheet.${k}`))))),
      h('tbody', null, b.map((x) => h('tr', null, h('td', null, x.label), h('td', null, label('budget_kind', x.kind)),
        h('td', null, x.year || ''), h('td', { class: 'num' }, eur(x.amount_eur)), h('td', null, x.funder || '')))))) : null,
    f.length ? [h('h3', null, t('sheet.funders')), h('ul', null, f.map((x) => h('li', null, x.name, x.amount_eur ? ` — ${eur(x.amount_eur)}` : '')))] : null);
}

function links(s, doc) {
  const parts = [];
  if (doc.documents && doc.documents.length) {
    parts.push(h('h3', null, t('sheet.documents')), h('ul', null, doc.documents.map((d) => h('li', null,
      /^https?:/i.test(d.url) ? h('a', { href: d.url, rel: 'noopener nofollow' }, d.title) : d.title))));
  }
  if (s.datasets && s.datasets.length) {
    parts.push(h('h3', null, t('sheet.datasets')), h('ul', null, s.datasets.map((d) => h('li', null,
      d.published ? h('a', { href: `/donnees/${d.slug}` }, d.title || d.slug) : h('span', null, d.slug, ' ', h('span', { class: 'meta' }, t('sheet.unpublished')))))));
  }
  if (doc.linked_practices && doc.linked_practices.length) {
    parts.push(h('h3', null, t('sheet.linked')), h('ul', null, doc.linked_practices.map((n) => h('li', null,
      h('a', { href: `/registre/${n}` }, t('sheet.linked_item', { id: n }))))));
  }
  if (s.origin) {
    parts.push(h('h3', null, t('sheet.origin')), h('p', null, h('a', { href: `/registre/${s.origin.id}` }, s.origin.title || t('sheet.linked_item', { id: s.origin.id }))));
  }
  if (!parts.length) return null;
  return h('section', { class: 'sheet-links', 'aria-labelledby': 'sec-links' }, h('h2', { id: 'sec-links' }, t('sheet.links')), parts);
}

export function historySection(history) {
  if (!history || !history.length) return null;
  // Not a landmark itself: its scrolling table is the region so named
  return h('section', { class: 'sheet-history' },
    h('h2', { id: 'sec-hist' }, t('sheet.history')),
    h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': 'sec-hist' }, h('table', null,
      h('thead', null, h('tr', null, ['hist_at', 'hist_actor', 'hist_action', 'hist_states', 'hist_comment'].map((k) => h('th', { scope: 'col' }, t(`sheet.${k}`))))),
      h('tbody', null, [...history].reverse().map((e) => h('tr', null,
        h('td', null, fmtDate(e.at, true)), h('td', null, e.actor), h('td', null, label('action', e.action)),
        h('td', null, `${label('state', e.from)} → ${label('state', e.to)}`), h('td', null, e.comment || '')))))));
}

function about(s, id) {
  const api1 = apiUrl(`/api/v1/practices/${id}`);
  const rev = s.revision || {};
  return h('section', { class: 'sheet-about', 'aria-labelledby': 'sec-about' },
    h('h2', { id: 'sec-about' }, t('sheet.revision_title')),
    h('p', null, t('sheet.revision_text', { n: rev.number, author: rev.author || '', date: fmtDate(rev.created_at, true) }),
      ' ', h('a', { href: `/registre/${id}/revisions` }, t('sheet.revisions_link'))),
    h('p', { class: 'api-link' }, t('sheet.api'), ' ', h('a', { href: api1 }, api1), ' ', copyButton(api1)));
}

