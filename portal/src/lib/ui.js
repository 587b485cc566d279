// ui.js -- pieces every page uses: the page title and heading, the error
// message for any ApiError, the loading state, the live region, facets.
import { h, fill } from './dom.js';
import { t, fmtNumber } from './i18n.js';

// Sets document.title and returns the page's <h1> (focused by the router
// after a navigation, so a screen reader hears where it arrived).
export function pageTitle(text) {
  document.title = `${text} · Consometer`;
  return h('h1', { tabindex: '-1', class: 'page-title' }, text);
}

// A readable message for an error from api(): what happened, in the
// reader's language, then the server's own words and, for a validation
// error, the fields it names. Never a blank page.
export function errorBox(err, opts = {}) {
  const code = err && err.code ? err.code : 'internal';
  const known = [
    'not_found', 'unauthorized', 'forbidden', 'conflict', 'too_many_requests', 'unreachable',
    'session_lost', 'limit_exceeded', 'unprocessable', 'invalid_param', 'bad_request',
    'precondition_required', 'unavailable', 'range_not_satisfiable', 'unsupported_format',
  ];
  const key = known.includes(code) ? `error.${code}` : 'error.other';
  const lines = [];
  if (err && err.message && code !== 'unreachable') lines.push(h('p', { class: 'error-server' }, t('error.server_said'), ' ', h('q', null, err.message)));
  const fields = err && err.details && Array.isArray(err.details.fields) ? err.details.fields : null;
  if (fields && fields.length) {
    lines.push(h('ul', { class: 'error-fields' }, fields.map((f) => h('li', null, h('code', null, f.field || f.name || ''), ' : ', f.message || f.reason || ''))));
  }
  if (code === 'too_many_requests' && err.retryAfter) lines.push(h('p', null, t('error.retry_after', { s: err.retryAfter })));
  const actions = [];
  if (code === 'session_lost' || code === 'unauthorized') actions.push(h('a', { href: `/connexion?next=${encodeURIComponent(location.pathname + location.search)}` }, t('error.login_again')));
  if (opts.retry) actions.push(h('button', { type: 'button', class: 'btn', onclick: opts.retry }, t('error.retry')));
  return h('div', { class: 'error-box', role: 'alert' },
    h('p', { class: 'error-title' }, h('strong', null, opts.title || t(key))),
    lines,
    actions.length ? h('p', { class: 'error-actions' }, actions) : null);
}

// A control that redraws its own page (a filter, a sort) is drawn anew:
// keepFocus(id) before the redraw, restoreFocus() once drawn, and the
// keyboard user is where they were. pendingFocus() tells whether one waits.
let refocusId = null;
export function keepFocus(id) {
  refocusId = id;
}

export function pendingFocus() {
  return refocusId !== null;
}

export function restoreFocus() {
  const id = refocusId;
  refocusId = null;
  if (!id) return;
  setTimeout(() => {
    const el = document.getElementById(id);
    if (el) el.focus();
  }, 0);
}

export function loading(text) {
  return h('p', { class: 'loading', role: 'status' }, text || t('ui.loading'));
}

// One polite live region for the whole page (results counts, run status).
export function announce(text) {
  let el = document.getElementById('announcer');
  if (!el) {
    el = h('div', { id: 'announcer', class: 'visually-hidden', 'aria-live': 'polite', role: 'status' });
    document.body.appendChild(el);
  }
  fill(el, text);
}

// A search page keeps its state in its URL: searchState() reads the keys
// from the query (those in lists as comma-separated values), searchUrl()
// writes them back in the order given, leaving out what is empty.
export function searchState(query, keys, lists) {
  const st = {};
  for (const k of keys) {
    st[k] = lists.includes(k) ? (query.get(k) || '').split(',').filter(Boolean) : query.get(k) || '';
  }
  return st;
}

export function searchUrl(path, st, keys) {
  const p = new URLSearchParams();
  for (const k of keys) {
    const v = st[k];
    if (Array.isArray(v) ? v.length : v) p.set(k, Array.isArray(v) ? v.join(',') : v);
  }
  const qs = p.toString();
  return qs ? `${path}?${qs}` : path;
}

// Facet checkboxes: facets = {name: [{value, count}]}, selected = {name:
// [values]}, label(name, value) -> text; onChange(name, values).
export function facetPanel(facets, selected, label, onChange, title) {
  const groups = [];
  for (const [name, values] of Object.entries(facets || {})) {
    if (!values || !values.length) continue;
    const chosen = new Set(selected[name] || []);
    groups.push(h('fieldset', { class: 'facet' },
      h('legend', null, title(name)),
      h('ul', null, values.map((v) => {
        const id = `f-${name}-${String(v.value).replace(/[^a-z0-9]/gi, '_')}`;
        return h('li', null,
          h('input', {
            type: 'checkbox', id, name, value: v.value, checked: chosen.has(String(v.value)),
            onchange: (e) => {
              if (e.target.checked) chosen.add(String(v.value));
              else chosen.delete(String(v.value));
              onChange(name, [...chosen]);
            },
          }),
          h('label', { for: id }, label(name, v.value), ' ', h('span', { class: 'count' }, `(${fmtNumber(v.count)})`)));
      }))));
  }
  return h('div', { class: 'facets' }, groups);
}

export function copyButton(text) {
  return h('button', {
    type: 'button', class: 'btn btn-small',
    onclick: async (e) => {
      try {
        await navigator.clipboard.writeText(text);
        announce(t('ui.copied'));
        e.target.textContent = t('ui.copied');
      } catch (err) {
        announce(t('ui.copy_failed'));
      }
    },
  }, t('ui.copy'));
}
