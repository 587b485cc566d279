// workspace.js -- the datathon workspace (/atelier), for team sessions:
// a Lua editor, Save and Run, the run's status followed live, errors
// pointing at their line, the result as a table and a chart, and Publish.
//
// The API keeps every saved version: Save posts a new script (the server
// compiles it at once: a syntax error is a 422 with its line, and nothing
// is saved); Run saves first when the text changed, then queues a run and
// polls it until it ends. The text is also kept as a draft in
// localStorage, so a lost session, a reload or a closed tab loses nothing.
import { h, fill, uid } from '../lib/dom.js';
import { t, tn, pick, fmtNumber, fmtDate, fmtBytes } from '../lib/i18n.js';
import { api } from '../lib/api.js';
import { hasRole, session } from '../lib/session.js';
import { pageTitle, errorBox, loading, announce } from '../lib/ui.js';
import { valuesFigure } from './indicators.js';

const DRAFT_KEY = 'cm.workspace.draft';
const POLL_MS = 400;
// A run stops itself after lua.timeout_ms (10 s by default) once started;
// a queue may hold it longer. Past this the page stops following it.
const POLL_GIVE_UP_MS = 10 * 60 * 1000;
const FINISHED = ['succeeded', 'failed'];
const RUN_ERRORS = ['syntax_error', 'runtime_error', 'memory_limit', 'instruction_limit', 'time_limit',
  'output_limit', 'forbidden', 'invalid_output'];
const DEFAULT_NAME = 'energie-mensuelle.lua';
const SCRIPTS_SHOWN = 6;

// A script that runs on the demo data as it is, and can be published:
// the starting point of a new script (scripts-lua/examples/ has more).
const EXAMPLE = `-- Exemple : l'énergie finale (électricité + gaz + chaleur) de chaque
-- bâtiment public, mois par mois en 2024, en MWh.
-- cm.aggregate fait les sommes en C (rapide) ; un résultat de la forme
-- {indicator = {...}, observations = {...}} peut être publié.
local YEAR = '2024'
local FUELS = {electricity = true, gas = true, heat = true}

local sums = cm.aggregate('energy-site-month',
                          {by = {'period', 'territory', 'kind'}, fn = 'sum'})

local total, keys = {}, {}
for _, g in ipairs(sums) do
  if FUELS[g.kind] and g.period:sub(1, 4) == YEAR then
    local k = g.territory .. ' ' .. g.period
    if not total[k] then
      total[k] = {period = g.period, territory = g.territory, kwh = 0}
      keys[#keys + 1] = k
    end
    if g.value == nil then
      total[k].secret = true -- une valeur secrète : mois écarté
    else
      total[k].kwh = total[k].kwh + g.value
    end
  end
end
table.sort(keys) -- les mêmes lignes dans le même ordre à chaque exécution

local observations = {}
for _, k in ipairs(keys) do
  local t = total[k]
  if not t.secret then
    observations[#observations + 1] = {
      period = t.period,
      territory = t.territory,
      value = math.floor(t.kwh / 100 + 0.5) / 10, -- MWh, arrondi à 0,1
    }
  end
end

return {
  indicator = {
    slug = 'energie-mensuelle-batiments', -- unique sur la plateforme
    title = {fr = 'Énergie finale mensuelle des bâtiments publics',
             en = 'Monthly final energy of public buildings'},
    description = {
      fr = 'Électricité, gaz et chaleur consommés chaque mois par chaque bâtiment public.',
      en = 'Electricity, gas and heat used each month by each public building.'},
    unit = 'MWh',
    method = 'électricité + gaz + chaleur de energy-site-month, par '
      .. 'bâtiment et par mois de ' .. YEAR .. ', en MWh arrondis à 0,1 ; '
      .. 'un mois avec une valeur secrète est écarté',
    reads = {'energy-site-month'},
    period = 'month',
    territory = 'site',
  },
  observations = observations,
}
`;

export async function render(ctx) {
  // The API lets team accounts only save and run scripts (x-roles: team):
  // an administrator is told so rather than shown an editor that fails.
  if (!hasRole('team')) {
    loginPrompt(ctx);
    return;
  }
  const ws = new Workspace(ctx);
  ws.draw();
  await ws.start();
}

function loginPrompt(ctx) {
  const s = session();
  fill(ctx.main,
    pageTitle(t('workspace.title')),
    h('div', { class: 'notice' },
      h('p', null, !s ? t('workspace.need_login')
        : s.role === 'admin' ? t('workspace.admin_note', { user: s.user }) : t('workspace.not_team', { user: s.user })),
      h('p', null, h('a', { class: 'btn', href: '/connexion?next=%2Fatelier' }, t('workspace.login')))),
    h('p', null, t('workspace.public_side'), ' ', h('a', { href: '/indicateurs' }, t('workspace.gallery_link'))));
}

// localStorage may be refused (private mode): the draft then lasts as
// long as the page.
function readDraft() {
  try {
    const d = JSON.parse(localStorage.getItem(DRAFT_KEY) || 'null');
    return d && typeof d.source === 'string' ? d : null;
  } catch (e) {
    return null;
  }
}

function writeDraft(d) {
  try {
    localStorage.setItem(DRAFT_KEY, JSON.stringify(d));
  } catch (e) {
    /* No storage: nothing to keep */
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Workspace {
  constructor(ctx) {
    this.ctx = ctx;
    this.ed = null; // the editor, once CodeMirror is loaded
    this.saved = null; // {id, name, source}: the last version on the server
    this.busy = false;
    this.runSeq = 0; // a newer run makes the page stop following an older one
    const draft = readDraft();
    this.restored = !!draft;
    this.initial = draft ? draft.source : EXAMPLE;
    this.initialName = draft ? draft.name || DEFAULT_NAME : DEFAULT_NAME;
    if (draft && draft.saved && draft.saved.source === draft.source) this.saved = draft.saved;
  }

  // ---- the page -------------------------------------------------------

  draw() {
    const nameId = uid('ws-name');
    this.nameInput = h('input', {
      type: 'text', id: nameId, name: 'name', value: this.initialName, maxlength: '128',
      autocomplete: 'off', spellcheck: 'false', required: true,
      oninput: () => this.keepDraft(),
    });
    this.mount = h('div', { class: 'ws-editor' }, loading(t('workspace.editor_loading')));
    this.saveBtn = h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => this.save() }, t('workspace.save'));
    this.runBtn = h('button', { type: 'button', class: 'btn', onclick: () => this.run() }, t('workspace.run'));
    this.statusText = h('span', { role: 'status', class: 'ws-status-text' }, t('workspace.status.idle'));
    this.elapsed = h('span', { class: 'ws-elapsed' });
    this.messages = h('div', { class: 'ws-messages' });
    this.result = h('div', { class: 'ws-result' }, h('p', { class: 'meta' }, t('workspace.result_none')));
    this.scripts = h('div', { class: 'ws-scripts' }, loading());
    this.setBusy(true); // until the editor is there

    fill(this.ctx.main,
      pageTitle(t('workspace.title')),
      h('p', { class: 'lead' }, t('workspace.lead')),
      this.restored ? h('p', { class: 'notice ws-restored' }, t('workspace.draft_restored')) : null,
      cheatSheet(),
      h('section', { class: 'ws-section', 'aria-labelledby': 'ws-h-script' },
        h('h2', { id: 'ws-h-script' }, t('workspace.script')),
        h('form', { class: 'ws-form', onsubmit: (e) => { e.preventDefault(); this.run(); } },
          h('div', { class: 'field ws-name' },
            h('label', { for: nameId }, t('workspace.name')),
            this.nameInput),
          h('div', { class: 'field' },
            // The editor's name and hint are repeated inside its shadow
            // root (workspace-editor.js): IDs cannot reach it from here.
            h('span', { class: 'ws-label', onclick: () => this.ed && this.ed.focus() }, t('workspace.code')),
            h('span', { class: 'hint' }, t('workspace.code_hint')),
            this.mount),
          h('div', { class: 'ws-actions' }, this.saveBtn, this.runBtn),
          h('p', { class: 'ws-status' }, h('span', { class: 'ws-status-label' }, t('workspace.status'), ' '), this.statusText, ' ', this.elapsed)),
        this.messages),
      h('section', { class: 'ws-section', 'aria-labelledby': 'ws-h-result' },
        h('h2', { id: 'ws-h-result' }, t('workspace.result')),
        this.result),
      h('section', { class: 'ws-section', 'aria-labelledby': 'ws-h-scripts' },
        h('h2', { id: 'ws-h-scripts' }, t('workspace.scripts')),
        h('p', null, h('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: () => this.newScript() }, t('workspace.new'))),
        this.scripts));
  }

  async start() {
    const [mod] = await Promise.allSettled([import('./workspace-editor.js'), this.loadScripts()]);
    if (!this.ctx.current()) return;
    if (mod.status === 'rejected') {
      fill(this.mount, errorBox({ code: 'unreachable', message: String(mod.reason) }, {
        title: t('workspace.editor_failed'), retry: () => location.reload(),
      }));
      return;
    }
    const host = h('div', { class: 'ws-editor-host' });
    fill(this.mount, host);
    this.ed = mod.value.createEditor({
      host,
      doc: this.initial,
      label: t('workspace.code'),
      hint: t('workspace.code_hint'),
      onChange: () => this.keepDraft(),
      onRun: () => this.run(),
    });
    this.setBusy(false);
  }

  // The draft follows every edit at once (a few KB in localStorage): a
  // navigation or a closed tab right after typing loses nothing.
  keepDraft() {
    this.writeDraftNow();
  }

  writeDraftNow() {
    if (!this.ed) return;
    writeDraft({ name: this.nameInput.value, source: this.ed.getValue(), saved: this.saved });
  }

  setBusy(busy) {
    this.busy = busy;
    // aria-disabled, not disabled: a focused button keeps the focus.
    for (const b of [this.saveBtn, this.runBtn]) b.setAttribute('aria-disabled', busy ? 'true' : 'false');
  }

  name() {
    return this.nameInput.value.trim() || DEFAULT_NAME;
  }

  dirty() {
    return !this.saved || this.saved.source !== this.ed.getValue() || this.saved.name !== this.name();
  }

  // ---- save -----------------------------------------------------------

  async save() {
    if (this.busy || !this.ed) return;
    this.setBusy(true);
    fill(this.messages);
    const wasDirty = this.dirty();
    const script = await this.ensureSaved();
    this.setBusy(false);
    if (!script || !this.ctx.current()) return;
    const text = wasDirty ? t('workspace.saved', { id: script.id }) : t('workspace.saved_already', { id: script.id });
    fill(this.messages, h('p', { class: 'success' }, text));
    announce(text);
  }

  // The script as it is in the editor, saved: the last saved one when the
  // text and name did not change, or a new one. null when refused (the
  // error is then shown).
  async ensureSaved() {
    const source = this.ed.getValue();
    const name = this.name();
    if (!this.dirty()) return this.saved;
    this.ed.clearError();
    try {
      const { data } = await api('POST', '/api/v1/scripts', { body: { name, source } });
      this.saved = { id: data.id, name, source };
      this.writeDraftNow();
      this.loadScripts();
      return this.saved;
    } catch (err) {
      if (!this.ctx.current()) return null;
      const d = err.details || {};
      if (err.status === 422 && d.line) {
        this.showCodeError({ code: d.code || 'syntax_error', message: err.message, line: d.line });
        this.setStatus('save_failed');
      } else {
        this.showApiError(err, () => this.save());
      }
      return null;
    }
  }

  // ---- run ------------------------------------------------------------

  async run() {
    if (this.busy || !this.ed) return;
    this.setBusy(true);
    fill(this.messages);
    this.elapsed.textContent = '';
    const script = await this.ensureSaved();
    if (!script || !this.ctx.current()) {
      this.setBusy(false);
      return;
    }
    let res;
    try {
      res = await api('POST', `/api/v1/scripts/${script.id}/runs`);
    } catch (err) {
      if (!this.ctx.current()) return;
      this.setBusy(false);
      this.setStatus('not_started');
      this.showApiError(err, () => this.run());
      return;
    }
    if (!this.ctx.current()) return;
    const url = res.headers.get('Location') || res.data.url || `/api/v1/runs/${res.data.id}`;
    await this.follow(url, res.data, performance.now());
  }

  // Polls a run until it ends, showing its status and the time since the
  // Run button; a failed poll keeps what was shown and offers to resume.
  async follow(url, first, started) {
    const seq = ++this.runSeq;
    const alive = () => this.ctx.current() && seq === this.runSeq;
    let run = first;
    let shown = null;
    const tick = () => {
      this.elapsed.textContent = t('workspace.elapsed', { s: fmtNumber((performance.now() - started) / 1000, 1) });
    };
    const timer = setInterval(() => (alive() ? tick() : clearInterval(timer)), 100);
    this.setBusy(true);
    try {
      for (;;) {
        if (run.status !== shown) {
          shown = run.status;
          this.setStatus(run.status);
        }
        if (FINISHED.includes(run.status)) break;
        if (performance.now() - started > POLL_GIVE_UP_MS) {
          this.setStatus('lost');
          return;
        }
        await sleep(POLL_MS);
        if (!alive()) return;
        try {
          ({ data: run } = await api('GET', url));
        } catch (err) {
          if (!alive()) return;
          this.setStatus('poll_failed');
          this.showApiError(err, () => {
            fill(this.messages);
            this.follow(url, run, started);
          });
          return;
        }
        if (!alive()) return;
      }
      clearInterval(timer);
      tick();
      this.showRun(run);
      this.loadScripts(); // the list shows each script's last run
    } finally {
      clearInterval(timer);
      if (seq === this.runSeq) this.setBusy(false);
    }
  }

  setStatus(status) {
    this.statusText.textContent = t(`workspace.status.${status}`);
    this.statusText.dataset.status = status;
  }

  // A finished run: its error at its line, or its result.
  showRun(run) {
    if (run.status === 'failed') {
      const e = run.error || {};
      this.showCodeError({ code: e.code, message: e.message, line: e.line });
      fill(this.result, h('p', { class: 'meta' }, t('workspace.result_failed')));
      return;
    }
    this.ed.clearError();
    fill(this.result, this.resultView(run));
    announce(t('workspace.result_ready'));
  }

  resultView(run) {
    const p = run.result_preview;
    const st = run.stats || {};
    const stats = h('p', { class: 'meta ws-stats' }, t('workspace.stats', {
      ms: fmtNumber(st.wall_ms ?? 0), instructions: fmtNumber(st.instructions ?? 0), memory: fmtBytes(st.memory_peak_bytes ?? 0),
      date: fmtDate(run.finished_at, true),
    }));
    if (p && p.truncated) return [stats, h('p', null, t('workspace.result_too_large', { size: fmtBytes(p.bytes) }))];
    if (p && p.indicator && Array.isArray(p.observations)) return [stats, this.indicatorView(run, p)];
    return [stats,
      h('pre', { class: 'ws-json', tabindex: '0', 'aria-label': t('workspace.result_json') },
        h('code', null, JSON.stringify(p, null, 2)))];
  }

  indicatorView(run, p) {
    const ind = p.indicator;
    const title = pick(ind.title) || ind.slug || '';
    const obs = p.observations;
    const total = p.observations_total ?? obs.length;
    const hasSector = obs.some((o) => o.sector !== undefined && o.sector !== null);
    const publish = h('div', { class: 'ws-publish' });
    const publishBtn = h('button', { type: 'button', class: 'btn', onclick: () => this.publish(run.script, publishBtn, publish) }, t('workspace.publish'));
    if (run.published) {
      fill(publish, this.publishedNote(run.published.slug, t('workspace.already_published', { slug: run.published.slug, v: run.published.version })));
    }
    return h('div', { class: 'ws-indicator' },
      h('h3', null, title),
      h('dl', { class: 'meta-list' },
        h('dt', null, t('workspace.slug')), h('dd', null, h('code', null, ind.slug || '')),
        h('dt', null, t('indicators.unit')), h('dd', null, ind.unit || ''),
        h('dt', null, t('workspace.rows')), h('dd', null, fmtNumber(total))),
      obs.length ? valuesFigure({ title, unit: ind.unit, records: obs, table: false }) : null,
      h('h4', null, t('workspace.preview')),
      h('p', { class: 'meta' }, total > obs.length
        ? t('workspace.preview_cut', { shown: fmtNumber(obs.length), n: fmtNumber(total) })
        : t('workspace.preview_all', { n: fmtNumber(total) })),
      h('div', { class: 'table-scroll ws-table', tabindex: '0', role: 'region', 'aria-label': t('workspace.preview') },
        h('table', null,
          h('caption', { class: 'visually-hidden' }, t('workspace.preview')),
          h('thead', null, h('tr', null,
            h('th', { scope: 'col' }, t('workspace.col_period')),
            h('th', { scope: 'col' }, t('workspace.col_territory')),
            hasSector ? h('th', { scope: 'col' }, t('workspace.col_sector')) : null,
            h('th', { scope: 'col', class: 'num' }, t('workspace.col_value')))),
          h('tbody', null, obs.map((o) => h('tr', null,
            h('td', null, String(o.period ?? '')),
            h('td', null, String(o.territory ?? '')),
            hasSector ? h('td', null, String(o.sector ?? '')) : null,
            h('td', { class: 'num' }, typeof o.value === 'number' ? fmtNumber(o.value) : String(o.value ?? ''))))))),
      h('h4', null, t('workspace.publish_title')),
      h('p', null, t('workspace.publish_text', { slug: ind.slug || '' })),
      h('p', null, publishBtn),
      publish);
  }

  // ---- publish --------------------------------------------------------

  async publish(scriptId, btn, out) {
    if (btn.getAttribute('aria-disabled') === 'true') return;
    btn.setAttribute('aria-disabled', 'true');
    fill(out, loading(t('workspace.publishing')));
    try {
      const { data } = await api('POST', `/api/v1/scripts/${scriptId}/publish`);
      if (!this.ctx.current()) return;
      const text = data.unchanged
        ? t('workspace.published_unchanged', { slug: data.slug, v: data.version })
        : t('workspace.published', { slug: data.slug, v: data.version, n: fmtNumber(data.rows) });
      fill(out, this.publishedNote(data.slug, text));
      announce(text);
    } catch (err) {
      if (!this.ctx.current()) return;
      const title = err.status === 409 ? t('workspace.publish_conflict')
        : err.status === 422 ? t('workspace.publish_invalid') : undefined;
      fill(out, errorBox(err, { title, retry: err.status === 409 || err.status === 422 ? null : () => this.publish(scriptId, btn, out) }));
    } finally {
      btn.setAttribute('aria-disabled', 'false');
    }
  }

  publishedNote(slug, text) {
    return h('div', { class: 'success', role: 'status' },
      h('p', null, h('strong', null, text)),
      h('ul', { class: 'ws-links' },
        h('li', null, h('a', { href: `/indicateurs#${slug}` }, t('workspace.see_gallery'))),
        h('li', null, h('a', { href: `/donnees/${slug}` }, t('workspace.see_dataset')))));
  }

  // ---- errors ---------------------------------------------------------

  // An error of the script (syntax on save, or of a run): the message,
  // its line marked in the editor, and a button that goes there.
  showCodeError({ code, message, line }) {
    const kind = RUN_ERRORS.includes(code) ? t(`workspace.code.${code}`) : t('workspace.code.other');
    const text = String(message || '').replace(/^[a-z_]+:\s*/, '');
    const title = line ? `${kind} — ${t('workspace.at_line', { line })}` : kind;
    if (line) this.ed.markError(line, text || kind);
    else this.ed.clearError();
    fill(this.messages, h('div', { class: 'error-box ws-code-error', role: 'alert' },
      h('p', { class: 'error-title' }, h('strong', null, title)),
      text ? h('p', null, h('code', { class: 'ws-error-message' }, text)) : null,
      code === 'instruction_limit' || code === 'time_limit' || code === 'memory_limit' || code === 'output_limit'
        ? h('p', null, t('workspace.limit_hint')) : null,
      line ? h('p', { class: 'error-actions' },
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => this.ed.goToLine(line) }, t('workspace.go_to_line', { line }))) : null));
  }

  // Any other failure (429, unreachable, lost session...): the editor
  // keeps the text, and the draft has it too.
  showApiError(err, retry) {
    this.writeDraftNow();
    fill(this.messages, errorBox(err, {
      retry: err.code === 'session_lost' || err.code === 'unauthorized' || err.code === 'forbidden' ? null : retry,
    }));
  }

  // ---- the team's scripts ---------------------------------------------

  async loadScripts() {
    try {
      const { data } = await api('GET', '/api/v1/scripts');
      if (!this.ctx.current()) return;
      const list = data.scripts || [];
      if (!list.length) {
        fill(this.scripts, h('p', null, t('workspace.scripts_none')));
        return;
      }
      // Every save is a new script: the newest few, the rest on demand.
      const ul = h('ul', { class: 'ws-script-list' }, list.slice(0, SCRIPTS_SHOWN).map((s) => this.scriptItem(s)));
      const more = list.length > SCRIPTS_SHOWN
        ? h('p', null, h('button', {
          type: 'button', class: 'btn btn-secondary btn-small',
          onclick: (e) => {
            const rest = list.slice(SCRIPTS_SHOWN).map((s) => this.scriptItem(s));
            ul.append(...rest);
            e.target.closest('p').remove();
            // The focus goes to the first script the button revealed.
            rest[0].querySelector('button').focus();
          },
        }, t('ui.more'), ' ', `(${fmtNumber(list.length - SCRIPTS_SHOWN)})`))
        : null;
      fill(this.scripts, h('p', { class: 'meta' }, tn('workspace.scripts_count', list.length)), ul, more);
    } catch (err) {
      if (!this.ctx.current()) return;
      fill(this.scripts, errorBox(err, { retry: () => this.loadScripts() }));
    }
  }

  scriptItem(s) {
    const st = s.last_run ? s.last_run.status : 'never';
    return h('li', null,
      h('div', { class: 'ws-script-head' },
        h('span', { class: 'ws-script-name' }, s.name),
        ' ',
        h('span', { class: `badge ws-badge ws-badge-${st}` }, t(`workspace.last.${st}`),
          s.last_run && s.last_run.code && s.last_run.status === 'failed' ? ` (${s.last_run.code})` : '')),
      h('p', { class: 'meta' }, t('workspace.script_meta', { id: s.id, date: fmtDate(s.created_at, true), size: fmtBytes(s.bytes) })),
      h('button', {
        type: 'button', class: 'btn btn-secondary btn-small',
        'aria-label': t('workspace.open_label', { name: s.name, id: s.id }),
        onclick: () => this.open(s),
      }, t('workspace.open')));
  }

  // Replacing the editor's text asks first, unless nothing would be lost
  // (saved as it is, or the untouched example).
  confirmLeave() {
    if (!this.ed || !this.dirty() || (!this.saved && this.ed.getValue() === EXAMPLE)) return true;
    return window.confirm(t('workspace.confirm_replace'));
  }

  // Opens a saved script, with the result of its last run if any.
  async open(s) {
    if (this.busy || !this.ed || !this.confirmLeave()) return;
    this.setBusy(true);
    try {
      const { data } = await api('GET', `/api/v1/scripts/${s.id}`);
      if (!this.ctx.current()) return;
      this.runSeq += 1;
      this.ed.setValue(data.source);
      this.nameInput.value = data.name;
      this.saved = { id: data.id, name: data.name, source: data.source };
      this.writeDraftNow();
      fill(this.messages);
      this.elapsed.textContent = '';
      fill(this.result, h('p', { class: 'meta' }, t('workspace.result_none')));
      this.setStatus('idle');
      announce(t('workspace.opened', { name: data.name, id: data.id }));
      this.ed.focus();
      if (s.last_run) {
        const { data: run } = await api('GET', `/api/v1/runs/${s.last_run.id}`);
        if (!this.ctx.current()) return;
        this.setStatus(run.status);
        if (FINISHED.includes(run.status)) this.showRun(run);
      }
    } catch (err) {
      if (this.ctx.current()) this.showApiError(err, () => this.open(s));
    } finally {
      this.setBusy(false);
    }
  }

  newScript() {
    if (this.busy || !this.ed || !this.confirmLeave()) return;
    this.runSeq += 1;
    this.ed.setValue(EXAMPLE);
    this.nameInput.value = DEFAULT_NAME;
    this.saved = null;
    this.writeDraftNow();
    fill(this.messages);
    this.elapsed.textContent = '';
    fill(this.result, h('p', { class: 'meta' }, t('workspace.result_none')));
    this.setStatus('idle');
    announce(t('workspace.new_done'));
    this.ed.focus();
  }
}

// The Lua API in a few lines, for a team in the middle of a datathon.
function cheatSheet() {
  const fn = (code, key) => h('li', null, h('code', null, code), ' — ', t(key));
  return h('details', { class: 'ws-help' },
    h('summary', null, t('workspace.help')),
    h('ul', null,
      fn('cm.datasets()', 'workspace.help_datasets'),
      fn("cm.rows('energy-site-year')", 'workspace.help_rows'),
      fn("cm.aggregate(slug, {by = {'period'}, fn = 'sum'})", 'workspace.help_aggregate'),
      fn("cm.sql('SELECT …', …)", 'workspace.help_sql'),
      fn("cm.factor('co2.gas', 2024)", 'workspace.help_factor'),
      fn('return {indicator = {…}, observations = {…}}', 'workspace.help_return')),
    h('p', null, t('workspace.help_more'), ' ', h('a', { href: '/donnees' }, t('workspace.help_catalog'))));
}
