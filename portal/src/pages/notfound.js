import { h, fill } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { pageTitle } from '../lib/ui.js';

export function notFound(main) {
  fill(main,
    pageTitle(t('notfound.title')),
    h('p', null, t('notfound.text')),
    h('p', null, h('a', { href: '/' }, t('notfound.home')), ' · ', h('a', { href: '/donnees' }, t('nav.data'))));
}

export function render(ctx) {
  notFound(ctx.main);
}
