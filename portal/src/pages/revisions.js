// revisions.js -- a sheet's revisions (number, author, date, message),
// two of them compared field by field (GET .../diff/{to}), the choice kept
// in the URL (?from=&to=); for staff who may edit it, the moderation log
// and the restore of an old revision (a new revision, never a rewrite).
import { h, fill } from '../lib/dom.js';
import { t, fmtDate } from '../lib/i18n.js';
import { api } from '../lib/api.js';
import { pageTitle, errorBox, announce } from '../lib/ui.js';
import { historySection } from './sheet.js';

export async function render(ctx) {
  const id = ctx.params[0];
  const [sheetRes, revRes] = await Promise.allSettled([
    api('GET', `/api/v1/practices/${id}`),
    api('GET', `/api/v1/practices/${id}/revisions`),
  ]);
  if (!ctx.current()) return;
  const failed = [sheetRes, revRes].find((r) => r.status === 'rejected');
  if (failed) {
    fill(ctx.main, pageTitle(t('sheet.rev.title')), errorBox(failed.reason, { retry: () => render(ctx) }),
      h('p', null, h('a', { href: `/registre/${id}` }, t('editor.back_sheet'))));
    return;
  }
  const sheet = sheetRes.value.data;
  const revs = revRes.value.data.revisions;
  // The server says whether this caller may edit (sheet.may): only then
  // is the moderation log theirs to read.
  const mayEdit = !!(sheet.may && sheet.may.edit);
  const histRes = mayEdit
    ? await api('GET', `/api/v1/practices/${id}/history`).then((r) => ({ status: 'fulfilled', value: r }), (e) => ({ status: 'rejected', reason: e }))
    : { status: 'rejected' };
  if (!ctx.current()) return;
  const current = revs.length ? revs[0].id : null;
  const ids = revs.map((r) => String(r.id));
  let from = ctx.query.get('from');
  let to = ctx.query.get('to');
  if (!ids.includes(from)) from = revs.length > 1 ? String(revs[1].id) : ids[0];
  if (!ids.includes(to)) to = ids[0];

  const diffBox = h('section', { class: 'diff', 'aria-labelledby': 'diff-h', 'aria-live': 'polite' });
  const status = h('div', { class: 'rev-status' });
  const radio = (group, r, checked) => h('input', {
    type: 'radio', name: group, value: String(r.id), checked,
    'aria-label': t(group === 'from' ? 'sheet.rev.from_n' : 'sheet.rev.to_n', { n: r.number }),
  });
  const form = h('form', {
    class: 'rev-form',
    onsubmit: (e) => {
      e.preventDefault();
      from = form.elements.from.value;
      to = form.elements.to.value;
      history.replaceState(null, '', `/registre/${id}/revisions?from=${from}&to=${to}`);
      showDiff();
    },
  },
  h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-labelledby': 'rev-list-h' }, h('table', { class: 'rev-table' },
    h('caption', { class: 'visually-hidden' }, t('sheet.rev.list')),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col' }, t('sheet.rev.from')), h('th', { scope: 'col' }, t('sheet.rev.to')),
      ['number', 'author', 'date', 'message', 'state'].map((k) => h('th', { scope: 'col' }, t(`sheet.rev.${k}`))),
      mayEdit ? h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, t('sheet.rev.actions'))) : null)),
    h('tbody', null, revs.map((r) => h('tr', null,
      h('td', null, radio('from', r, String(r.id) === from)),
      h('td', null, radio('to', r, String(r.id) === to)),
      h('th', { scope: 'row' }, t('sheet.rev.n', { n: r.number })),
      h('td', null, r.author),
      h('td', null, fmtDate(r.created_at, true)),
      h('td', null, r.message || ''),
      h('td', null, r.id === current ? t('sheet.rev.current') : '', r.published ? ` ${t('sheet.rev.published')}` : ''),
      mayEdit ? h('td', null, r.id !== current ? restoreButton(r) : '') : null))))),
  h('p', null, h('button', { type: 'submit', class: 'btn' }, t('sheet.rev.compare'))));

  function restoreButton(r) {
    const btn = h('button', {
      type: 'button', class: 'btn btn-small btn-secondary',
      onclick: async () => {
        btn.disabled = true;
        try {
          await api('POST', `/api/v1/practices/${id}/revisions/${r.id}/restore`, { body: { base_revision: current, message: t('sheet.rev.restore_message', { n: r.number }) } });
        } catch (err) {
          btn.disabled = false;
          const box = errorBox(err, { retry: () => render(ctx) });
          box.setAttribute('tabindex', '-1');
          fill(status, box);
          box.focus();
          return;
        }
        if (!ctx.current()) return;
        announce(t('sheet.rev.restored', { n: r.number }));
        await render(ctx);
        const title = ctx.main.querySelector('h1');
        if (title) title.focus();
      },
    }, t('sheet.rev.restore', { n: r.number }));
    return btn;
  }

  async function showDiff() {
    fill(diffBox, h('h2', { id: 'diff-h' }, t('sheet.rev.diff')), h('p', { class: 'loading' }, t('ui.loading')));
    if (from === to) {
      fill(diffBox, h('h2', { id: 'diff-h' }, t('sheet.rev.diff')), h('p', null, t('sheet.rev.same')));
      return;
    }
    let d;
    try {
      ({ data: d } = await api('GET', `/api/v1/practices/${id}/revisions/${from}/diff/${to}`));
    } catch (err) {
      if (ctx.current()) fill(diffBox, h('h2', { id: 'diff-h' }, t('sheet.rev.diff')), errorBox(err, { retry: showDiff }));
      return;
    }
    if (!ctx.current()) return;
    fill(diffBox,
      h('h2', { id: 'diff-h' }, t('sheet.rev.diff_between', { a: d.from.number, b: d.to.number })),
      d.changes.length ? h('ul', { class: 'changes' }, d.changes.map(change)) : h('p', null, t('sheet.rev.no_change')));
    announce(t('sheet.rev.diff_ready', { n: d.changes.length }));
  }

  fill(ctx.main,
    h('p', { class: 'breadcrumb' }, h('a', { href: `/registre/${id}` }, t('editor.back_sheet'))),
    pageTitle(t('sheet.rev.title')),
    h('p', { class: 'lead' }, sheet.document ? sheet.document.title : ''),
    status,
    h('h2', { id: 'rev-list-h' }, t('sheet.rev.list')),
    h('p', null, t('sheet.rev.help')),
    form,
    diffBox,
    histRes.status === 'fulfilled' ? historySection(histRes.value.data.history) : null);
  if (revs.length > 1) await showDiff();
}

// One changed field: its name, what happened, before and after.
function change(c) {
  const show = (v) => (v === undefined || v === null ? h('p', { class: 'meta' }, t('sheet.rev.empty'))
    : h('pre', { class: 'diff-value' }, typeof v === 'string' ? v : JSON.stringify(v, null, 2)));
  const key = `sheet.field.${c.field}`;
  const name = t(key) === key ? c.field : t(key);
  return h('li', { class: `change change-${c.change}` },
    h('h3', null, name, ' ', h('span', { class: 'badge' }, t(`sheet.rev.change_${c.change}`) || c.change)),
    h('div', { class: 'before-after' },
      c.change !== 'added' ? h('div', { class: 'before' }, h('h4', null, t('sheet.rev.before')), show(c.before)) : null,
      c.change !== 'removed' ? h('div', { class: 'after' }, h('h4', null, t('sheet.rev.after')), show(c.after)) : null));
}
