// login.js -- a name and a password open a session (cookie + CSRF token);
// ?next= brings the user back where a lost session interrupted them.
import { h, fill } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { login, session } from '../lib/session.js';
import { pageTitle, errorBox } from '../lib/ui.js';

function safeNext(query) {
  const next = query.get('next') || '/';
  // Only a path of this site: never //elsewhere or a scheme.
  return /^\/(?![/\\])/.test(next) ? next : '/';
}

export async function render(ctx) {
  const next = safeNext(ctx.query);
  const s = session();
  if (s) {
    fill(ctx.main, pageTitle(t('login.title')),
      h('p', null, t('login.already', { user: s.user })),
      h('p', null, h('a', { href: next }, t('login.continue'))));
    return;
  }
  const status = h('div', { class: 'login-status' });
  const form = h('form', {
    class: 'login-form', novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      const name = form.elements.name.value.trim();
      const password = form.elements.password.value;
      if (!name || !password) {
        fill(status, errorBox({ code: 'invalid_param', message: '' }, { title: t('login.missing') }));
        (name ? form.elements.password : form.elements.name).focus();
        return;
      }
      const btn = form.querySelector('button[type=submit]');
      btn.disabled = true;
      fill(status, h('p', { role: 'status' }, t('login.pending')));
      try {
        await login(name, password);
        ctx.navigate(next);
      } catch (err) {
        btn.disabled = false;
        fill(status, err.code === 'unauthorized'
          ? errorBox(err, { title: t('login.wrong') })
          : errorBox(err));
        form.elements.password.value = '';
        form.elements.password.focus();
      }
    },
  },
  h('div', { class: 'field' }, h('label', { for: 'login-name' }, t('login.name')),
    h('input', { type: 'text', id: 'login-name', name: 'name', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' })),
  h('div', { class: 'field' }, h('label', { for: 'login-password' }, t('login.password')),
    h('input', { type: 'password', id: 'login-password', name: 'password', autocomplete: 'current-password', required: true })),
  h('button', { type: 'submit', class: 'btn' }, t('login.submit')));
  fill(ctx.main, pageTitle(t('login.title')), h('p', null, t('login.who')), status, form,
    h('p', { class: 'meta' }, t('login.citizens')));
}
