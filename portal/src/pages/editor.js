// editor.js -- writes a sheet: /registre/nouvelle (POST, a new draft) and
// /registre/{id}/modifier (PUT with If-Match of the revision loaded, so
// two editors never overwrite each other). The form holds the fields an
// editor writes most; every other field of the document is kept as it was
// loaded and shown as JSON, so a save never loses anything. The server's
// 422 names each bad field ("steps[2].title"): its message goes next to
// that field and in a summary of links at the top.
import { h, fill } from '../lib/dom.js';
import { t, tn, fmtDate } from '../lib/i18n.js';
import { api } from '../lib/api.js';
import { pageTitle, errorBox } from '../lib/ui.js';
import { label, isWriter, THEMES, SECTORS, LEVELS, STATUSES, PRIORITIES, IMPACTS, LICENCES } from './registry.js';

const MD = ['context', 'objectives', 'scope', 'what_was_done', 'results', 'lessons', 'transferability', 'local_specifics'];
// The form's own top-level fields; the rest goes to the JSON field.
const FORM_FIELDS = ['title', 'summary', 'territory', 'status', 'priority', 'themes', 'sector', 'impacts',
  'start', 'end', ...MD, 'tags', 'contact', 'licence'];
const DRAFT_KEY = 'cm.sheet-draft.';

export async function render(ctx) {
  const id = ctx.params[0] || null;
  if (!isWriter()) {
    fill(ctx.main, pageTitle(id ? t('editor.title_edit') : t('editor.title_new')),
      errorBox({ code: 'unauthorized', message: '' }, { title: t('editor.login_needed') }));
    return;
  }
  let doc = { territory: { level: 'epci', code: '', name: '' }, licence: 'etalab-2.0' };
  let base = null;
  let state = 'draft';
  if (id) {
    try {
      const res = await api('GET', `/api/v1/practices/${id}`);
      doc = res.data.document;
      base = res.data.revision.id;
      state = res.data.state;
    } catch (err) {
      if (!ctx.current()) return;
      fill(ctx.main, pageTitle(t('editor.title_edit')), errorBox(err, { retry: () => render(ctx) }));
      return;
    }
    if (!ctx.current()) return;
  }
  new Editor(ctx, id, doc, base, state).draw();
}

// The server explains in English; the messages an editor meets most are
// said again in the reader's language (any other stays as the server wrote it).
const SERVER_WORDS = [
  [/^is required( \(not blank\))?$/, 'editor.srv.required'],
  [/^a date is YYYY/, 'editor.srv.date'],
  [/^ends \((.*)\) before it starts \((.*)\)$/, 'editor.srv.end_before', ['end', 'start']],
  [/^at most (\d+) (characters|bytes)$/, 'editor.srv.too_long', ['n', 'unit']],
  [/^an EPCI is named by its SIREN/, 'editor.srv.siren'],
  [/^an INSEE commune code/, 'editor.srv.commune'],
  [/^a département code/, 'editor.srv.departement'],
  [/^an INSEE region code/, 'editor.srv.region'],
  [/^an impact is rated/, 'editor.srv.impact'],
  [/^a link is an http/, 'editor.srv.url'],
];

function serverWords(message) {
  const m0 = String(message || '');
  for (const [re, key, names] of SERVER_WORDS) {
    const m = m0.match(re);
    if (!m) continue;
    const params = {};
    (names || []).forEach((n, i) => { params[n] = m[i + 1]; });
    if (params.unit) params.unit = t(`editor.srv.unit_${params.unit}`);
    return t(key, params);
  }
  return m0;
}

class Editor {
  constructor(ctx, id, doc, base, state) {
    Object.assign(this, { ctx, id, doc, base, state });
    this.controls = {}; // field name -> the control an error points to
  }

  draw() {
    const { ctx } = this;
    this.status = h('div', { class: 'editor-status' });
    this.form = h('form', { class: 'sheet-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); this.save(); } },
      this.general(), this.texts(), this.more(), this.saveBar());
    const title = this.id ? t('editor.title_edit') : t('editor.title_new');
    fill(ctx.main,
      h('p', { class: 'breadcrumb' }, h('a', { href: this.id ? `/registre/${this.id}` : '/registre' }, this.id ? t('editor.back_sheet') : t('sheet.back'))),
      pageTitle(title),
      this.id ? h('p', { class: 'meta' }, t('editor.editing', { title: this.doc.title || '', rev: this.base })) : null,
      h('p', null, t('editor.intro')),
      this.restoreOffer(),
      this.status,
      this.form);
  }

  // ---- building the form ----

  // A labelled control with its hint; returns the .field wrapper.
  field(name, labelText, control, hint) {
    const fid = `ed-${name.replace(/[^a-z0-9]/gi, '-')}`;
    control.id = fid;
    if (!control.name) control.name = name;
    const hintId = hint ? `${fid}-hint` : null;
    if (hintId) control.setAttribute('aria-describedby', hintId);
    control.dataset.hint = hintId || '';
    this.controls[name] = control;
    return h('div', { class: 'field', dataset: { field: name } },
      h('label', { for: fid }, labelText),
      hint ? h('span', { class: 'hint', id: hintId }, hint) : null,
      control);
  }

  text(name, value, opts = {}) {
    return h('input', { type: 'text', value: value || '', maxlength: opts.max || null, autocomplete: 'off', spellcheck: opts.spell ? 'true' : null });
  }

  select(values, current, labelFn, empty) {
    return h('select', null,
      empty ? h('option', { value: '' }, empty) : null,
      values.map((v) => h('option', { value: v, selected: String(current ?? '') === String(v) }, labelFn(v))));
  }

  general() {
    const d = this.doc;
    const terr = d.territory || {};
    const themes = new Set(d.themes || []);
    const themeBoxes = THEMES.map((th) => h('li', null,
      h('input', { type: 'checkbox', id: `ed-theme-${th}`, name: 'themes', value: th, checked: themes.has(th) }),
      h('label', { for: `ed-theme-${th}` }, label('theme', th))));
    const themeSet = h('fieldset', { class: 'themes-set', 'aria-describedby': 'ed-themes-hint', dataset: { field: 'themes' } },
      h('legend', null, t('editor.themes')),
      h('p', { class: 'hint', id: 'ed-themes-hint' }, t('editor.themes_hint')),
      h('ul', { class: 'checks' }, themeBoxes));
    this.controls.themes = themeSet.querySelector('input');
    this.controls.themes.dataset.hint = 'ed-themes-hint';
    this.themeSet = themeSet;
    const impacts = IMPACTS.map((k) => this.field(`impacts.${k}`, label('impact', k),
      this.select(['1', '2', '3'], d.impacts && d.impacts[k], (v) => label('rating', v), t('editor.not_rated'))));
    return h('fieldset', { class: 'group' },
      h('legend', null, h('h2', null, t('editor.general'))),
      this.field('title', t('editor.f_title'), this.text('title', d.title, { max: 300, spell: true }), t('editor.h_title')),
      this.field('summary', t('editor.f_summary'), h('textarea', { rows: '4', maxlength: '1000' }, d.summary || ''), t('editor.h_summary')),
      h('fieldset', { class: 'territory-set', dataset: { field: 'territory' } },
        h('legend', null, t('editor.territory')),
        h('div', { class: 'row' },
          this.field('territory.level', t('editor.f_level'), this.select(LEVELS, terr.level, (v) => label('level', v)), t('editor.h_level')),
          this.field('territory.code', t('editor.f_code'), h('input', { type: 'text', value: terr.code || '', inputmode: 'numeric', maxlength: '9', autocomplete: 'off' }), t('editor.h_code')),
          this.field('territory.name', t('editor.f_tname'), this.text('territory.name', terr.name, { max: 200 }), t('editor.h_tname')))),
      h('div', { class: 'row' },
        this.field('status', t('editor.f_status'), this.select(STATUSES, d.status, (v) => label('status', v), t('editor.none')), t('editor.h_status')),
        this.field('priority', t('editor.f_priority'), this.select(PRIORITIES, d.priority, (v) => label('priority', v), t('editor.none')), t('editor.h_priority')),
        this.field('sector', t('editor.f_sector'), this.select(SECTORS, d.sector, (v) => label('sector', v), t('editor.none')), t('editor.h_sector'))),
      themeSet,
      h('fieldset', { class: 'impacts-set' }, h('legend', null, t('editor.impacts')), h('p', { class: 'hint' }, t('editor.h_impacts')), h('div', { class: 'row' }, impacts)),
      h('div', { class: 'row' },
        this.field('start', t('editor.f_start'), this.text('start', d.start, { max: 10 }), t('editor.h_date')),
        this.field('end', t('editor.f_end'), this.text('end', d.end, { max: 10 }), t('editor.h_date'))));
  }

  texts() {
    const d = this.doc;
    return h('fieldset', { class: 'group' },
      h('legend', null, h('h2', null, t('editor.texts'))),
      h('p', { class: 'hint' }, t('editor.h_markdown')),
      MD.map((n) => this.field(n, t(`sheet.field.${n}`), h('textarea', { rows: n === 'context' || n === 'what_was_done' ? '8' : '5' }, d[n] || ''), t(`editor.h_${n}`))));
  }

  more() {
    const d = this.doc;
    const rest = {};
    for (const [k, v] of Object.entries(d)) if (!FORM_FIELDS.includes(k)) rest[k] = v;
    return h('fieldset', { class: 'group' },
      h('legend', null, h('h2', null, t('editor.more'))),
      this.field('tags', t('editor.f_tags'), this.text('tags', (d.tags || []).join(', ')), t('editor.h_tags')),
      this.field('contact', t('editor.f_contact'), this.text('contact', d.contact, { max: 300 }), t('editor.h_contact')),
      this.field('licence', t('editor.f_licence'), this.select(LICENCES, d.licence || 'etalab-2.0', (v) => v), t('editor.h_licence')),
      this.field('rest', t('editor.f_rest'), h('textarea', { rows: '12', class: 'code', spellcheck: 'false' }, JSON.stringify(rest, null, 2)), t('editor.h_rest')));
  }

  saveBar() {
    return h('div', { class: 'save-bar' },
      this.field('message', t('editor.f_message'), h('input', { type: 'text', maxlength: '500', autocomplete: 'off' }), t('editor.h_message')),
      h('p', { class: 'btn-row' }, h('button', { type: 'submit', class: 'btn' }, t('editor.save')),
        ' ', h('a', { href: this.id ? `/registre/${this.id}` : '/registre', class: 'btn btn-secondary' }, t('editor.cancel'))));
  }

  // ---- reading the form ----

  value(name) {
    return this.controls[name].value;
  }

  // The document to send: the fields kept as loaded, the form's over them.
  collect() {
    let rest = {};
    const src = this.value('rest').trim();
    if (src) {
      try {
        rest = JSON.parse(src);
      } catch (e) {
        return { error: { field: 'rest', message: t('editor.bad_json', { why: e.message }) } };
      }
      if (!rest || typeof rest !== 'object' || Array.isArray(rest)) return { error: { field: 'rest', message: t('editor.not_object') } };
    }
    const doc = { ...rest };
    const put = (k, v) => {
      if (v !== '' && v !== undefined && v !== null && !(Array.isArray(v) && !v.length) && !(typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length)) doc[k] = v;
    };
    // Title and summary are sent even empty: the server names what is missing.
    doc.title = this.value('title').trim();
    doc.summary = this.value('summary').trim();
    doc.territory = { level: this.value('territory.level'), code: this.value('territory.code').trim(), name: this.value('territory.name').trim() };
    put('status', this.value('status'));
    put('priority', this.value('priority'));
    put('themes', [...this.themeSet.querySelectorAll('input:checked')].map((c) => c.value));
    put('sector', this.value('sector'));
    const imp = {};
    for (const k of IMPACTS) if (this.value(`impacts.${k}`)) imp[k] = Number(this.value(`impacts.${k}`));
    put('impacts', imp);
    put('start', this.value('start').trim());
    put('end', this.value('end').trim());
    for (const n of MD) put(n, this.value(n).replace(/\s+$/, ''));
    put('tags', this.value('tags').split(',').map((s) => s.trim()).filter(Boolean));
    put('contact', this.value('contact').trim());
    put('licence', this.value('licence'));
    return { doc };
  }

  // ---- errors next to their fields ----

  clearErrors() {
    for (const el of this.form.querySelectorAll('.field-error')) el.remove();
    for (const el of this.form.querySelectorAll('[aria-invalid]')) {
      el.removeAttribute('aria-invalid');
      if (el.dataset.hint !== undefined) {
        if (el.dataset.hint) el.setAttribute('aria-describedby', el.dataset.hint);
        else el.removeAttribute('aria-describedby');
      }
    }
    this.themeSet.setAttribute('aria-describedby', 'ed-themes-hint');
    fill(this.status);
  }

  // "steps[2].title" -> the control that holds it (the JSON field for the
  // fields the form keeps as JSON).
  controlFor(path) {
    if (this.controls[path]) return this.controls[path];
    const top = path.split(/[.[]/)[0];
    if (top === 'impacts' || top === 'territory') {
      const sub = path.split('.')[1];
      return this.controls[`${top}.${sub}`] || this.controls[top === 'impacts' ? 'impacts.energy' : 'territory.code'];
    }
    if (this.controls[top]) return this.controls[top];
    if (top === 'document' || top === 'base_revision') return this.controls.title;
    return this.controls.rest;
  }

  showErrors(fields, err) {
    // One message per control, naming the sub-field when it is not the control's own.
    const byControl = new Map();
    for (const f of fields) {
      const c = this.controlFor(f.field || '');
      const own = this.controls[f.field] === c;
      const text = own ? serverWords(f.message) : `${f.field} : ${serverWords(f.message)}`;
      if (!byControl.has(c)) byControl.set(c, []);
      byControl.get(c).push(text);
    }
    const items = [];
    for (const [c, texts] of byControl) {
      const errId = `${c.id}-error`;
      const p = h('p', { class: 'field-error', id: errId }, texts.join(' ; '));
      const wrap = c.closest('fieldset.themes-set') || c.closest('.field');
      if (c.closest('fieldset.themes-set')) wrap.querySelector('legend').after(p);
      else c.before(p);
      c.setAttribute('aria-invalid', 'true');
      const target = c.closest('fieldset.themes-set') || c;
      target.setAttribute('aria-describedby', [c.dataset.hint, errId].filter(Boolean).join(' '));
      const name = this.fieldName(c);
      items.push(h('li', null, h('a', {
        href: `#${c.id}`,
        onclick: (e) => {
          e.preventDefault(); // The router would take this link as a page
          c.focus();
        },
      }, `${name} : ${texts.join(' ; ')}`)));
    }
    const box = h('div', { class: 'error-box editor-errors', role: 'alert', tabindex: '-1' },
      h('p', { class: 'error-title' }, h('strong', null, tn('editor.errors', byControl.size))),
      h('ul', null, items),
      err && err.message && !err.details ? h('p', null, err.message) : null);
    fill(this.status, box);
    box.focus();
  }

  fieldName(c) {
    const lab = this.form.querySelector(`label[for="${c.id}"]`);
    if (c.closest('fieldset.themes-set')) return t('editor.themes');
    return lab ? lab.textContent : c.name;
  }

  // ---- saving ----

  async save() {
    this.clearErrors();
    const { doc, error } = this.collect();
    if (error) {
      this.showErrors([error]);
      return;
    }
    const message = this.value('message').trim();
    const btn = this.form.querySelector('button[type=submit]');
    btn.disabled = true;
    fill(this.status, h('p', { class: 'loading', role: 'status' }, t('editor.saving')));
    let res;
    try {
      const body = { document: doc, message: message || null };
      res = this.id
        ? await api('PUT', `/api/v1/practices/${this.id}`, { body, headers: { 'If-Match': `"${this.base}"` } })
        : await api('POST', '/api/v1/practices', { body });
    } catch (err) {
      btn.disabled = false;
      if (!this.ctx.current()) return;
      this.failed(err, doc);
      return;
    }
    btn.disabled = false;
    if (!this.ctx.current()) return;
    this.saved(res.data);
  }

  failed(err, doc) {
    const fields = err.details && Array.isArray(err.details.fields) ? err.details.fields
      : err.code === 'unprocessable' && err.details && err.details.field ? [{ field: err.details.field, message: err.message }] : null;
    if (err.status === 422 && fields) {
      this.showErrors(fields, err);
      return;
    }
    if (err.code === 'conflict' && err.details && err.details.current_revision) {
      this.conflict(err);
      return;
    }
    if (err.code === 'session_lost' || err.code === 'unauthorized') {
      // The text stays in the form, and a copy waits for the return from the login page.
      this.keepDraft(doc);
    }
    const box = errorBox(err, { title: err.code === 'session_lost' ? t('editor.session_lost') : null });
    box.setAttribute('tabindex', '-1');
    fill(this.status, box);
    box.focus();
  }

  conflict(err) {
    const d = err.details;
    const keep = h('button', {
      type: 'button', class: 'btn btn-secondary',
      onclick: () => {
        // The user's text stays; the next save builds on the current revision.
        this.base = d.current_revision;
        fill(this.status, h('p', { class: 'notice', role: 'status' }, t('editor.rebased', { rev: d.current_revision })));
        this.controls.message.focus();
      },
    }, t('editor.rebase'));
    const box = h('div', { class: 'error-box editor-conflict', role: 'alert', tabindex: '-1' },
      h('p', { class: 'error-title' }, h('strong', null, t('editor.conflict_title'))),
      h('p', null, t('editor.conflict_text', { author: d.author || '', date: fmtDate(d.created_at, true), n: d.current_number || d.current_revision })),
      h('p', { class: 'btn-row' },
        h('a', { href: `/registre/${this.id}`, target: '_blank', rel: 'noopener' }, t('editor.view_current')),
        ' ', h('a', { href: `/registre/${this.id}/revisions?from=${this.base}&to=${d.current_revision}`, target: '_blank', rel: 'noopener' }, t('editor.view_diff')),
        ' ', keep));
    fill(this.status, box);
    box.focus();
  }

  saved(s) {
    const first = !this.id;
    this.id = String(s.id);
    this.base = s.revision.id;
    this.state = s.state;
    this.dropDraft();
    if (first) history.replaceState(null, '', `/registre/${this.id}/modifier`);
    this.controls.message.value = '';
    const submit = s.state === 'draft' ? h('button', { type: 'button', class: 'btn', onclick: () => this.submit(submit) }, t('editor.submit')) : null;
    const box = h('div', { class: 'success', role: 'status', tabindex: '-1' },
      h('p', null, h('strong', null, first ? t('editor.created') : t('editor.saved', { n: s.revision.number }))),
      h('p', null, t(`editor.saved_state_${s.state}`)),
      h('p', { class: 'btn-row' }, h('a', { href: `/registre/${this.id}` }, t('editor.view_sheet')), ' ', submit));
    fill(this.status, box);
    box.focus();
  }

  async submit(btn) {
    btn.disabled = true;
    try {
      await api('POST', `/api/v1/practices/${this.id}/submit`);
    } catch (err) {
      btn.disabled = false;
      const box = errorBox(err);
      box.setAttribute('tabindex', '-1');
      fill(this.status, box);
      box.focus();
      return;
    }
    if (!this.ctx.current()) return;
    this.state = 'in_review';
    const box = h('div', { class: 'success', role: 'status', tabindex: '-1' },
      h('p', null, h('strong', null, t('editor.submitted'))),
      h('p', null, h('a', { href: `/registre/${this.id}` }, t('editor.view_sheet'))));
    fill(this.status, box);
    box.focus();
  }

  // ---- a draft kept across a lost session ----

  keepDraft(doc) {
    try {
      sessionStorage.setItem(DRAFT_KEY + (this.id || 'new'), JSON.stringify({ doc, base: this.base }));
    } catch (e) {
      /* No storage: the text is still in the form on this page */
    }
  }

  dropDraft() {
    try {
      sessionStorage.removeItem(DRAFT_KEY + (this.id || 'new'));
      sessionStorage.removeItem(`${DRAFT_KEY}new`);
    } catch (e) {
      /* Nothing kept */
    }
  }

  restoreOffer() {
    let kept = null;
    try {
      kept = JSON.parse(sessionStorage.getItem(DRAFT_KEY + (this.id || 'new')) || 'null');
    } catch (e) {
      kept = null;
    }
    if (!kept || !kept.doc) return null;
    const box = h('div', { class: 'notice', role: 'status' },
      h('p', null, t('editor.kept')),
      h('p', { class: 'btn-row' },
        h('button', {
          type: 'button', class: 'btn',
          onclick: () => {
            // The kept text, over the revision it started from (a 409 says if it moved).
            this.doc = kept.doc;
            if (kept.base) this.base = kept.base;
            this.dropDraft();
            this.draw();
            this.controls.title.focus();
          },
        }, t('editor.kept_restore')),
        ' ',
        h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => { this.dropDraft(); box.remove(); this.controls.title.focus(); } }, t('editor.kept_drop'))));
    return box;
  }
}
