// home.js -- what the platform publishes: counts, the latest datasets and
// indicators, a search box that leads to the catalog.
import { h, fill } from '../lib/dom.js';
import { t, pick, fmtNumber, fmtDate } from '../lib/i18n.js';
import { api } from '../lib/api.js';
import { pageTitle, errorBox } from '../lib/ui.js';

export async function render(ctx) {
  const { main } = ctx;
  const search = h('form', { class: 'searchbar hero-search', role: 'search', action: '/donnees', method: 'get',
    onsubmit: (e) => {
      e.preventDefault();
      const q = e.target.elements.q.value.trim();
      ctx.navigate(q ? `/donnees?q=${encodeURIComponent(q)}` : '/donnees');
    } },
  h('label', { for: 'home-q', class: 'visually-hidden' }, t('home.search_label')),
  h('input', { type: 'search', id: 'home-q', name: 'q', placeholder: t('home.search_placeholder') }),
  h('button', { type: 'submit', class: 'btn' }, t('ui.search')));
  const latest = h('section', { 'aria-labelledby': 'home-latest' }, h('h2', { id: 'home-latest' }, t('home.latest')), h('p', { class: 'loading' }, t('ui.loading')));
  const inds = h('section', { 'aria-labelledby': 'home-ind' }, h('h2', { id: 'home-ind' }, t('home.indicators')), h('p', { class: 'loading' }, t('ui.loading')));
  fill(main,
    h('div', { class: 'hero' }, pageTitle(t('home.title')), h('p', { class: 'lead' }, t('home.lead')), search),
    h('section', { class: 'pillars', 'aria-label': t('home.pillars') },
      h('ul', { class: 'cards' },
        h('li', { class: 'card' }, h('h2', null, h('a', { href: '/donnees' }, t('home.p_data'))), h('p', null, t('home.p_data_text'))),
        h('li', { class: 'card' }, h('h2', null, h('a', { href: '/indicateurs' }, t('home.p_ind'))), h('p', null, t('home.p_ind_text'))),
        h('li', { class: 'card' }, h('h2', null, h('a', { href: '/registre' }, t('home.p_reg'))), h('p', null, t('home.p_reg_text'))))),
    latest, inds);

  const [ds, ind] = await Promise.allSettled([
    api('GET', '/api/v1/datasets', { query: { sort: '-published', limit: 6 } }),
    api('GET', '/api/v1/indicators'),
  ]);
  if (!ctx.current()) return;
  if (ds.status === 'fulfilled') {
    const d = ds.value.data;
    fill(latest, h('h2', { id: 'home-latest' }, t('home.latest')),
      h('p', null, t('home.count', { n: fmtNumber(d.total) })),
      h('ul', { class: 'results' }, d.datasets.map((x) => h('li', null,
        h('h3', null, h('a', { href: `/donnees/${x.slug}` }, pick(x.title))),
        h('p', { class: 'meta' }, t('home.published', { date: fmtDate(x.published_at), v: x.version, n: fmtNumber(x.n_observations) }))))),
      h('p', null, h('a', { href: '/donnees' }, t('home.all_data'))));
  } else fill(latest, h('h2', { id: 'home-latest' }, t('home.latest')), errorBox(ds.reason));
  if (ind.status === 'fulfilled') {
    const list = (ind.value.data.indicators || []).slice(0, 4);
    fill(inds, h('h2', { id: 'home-ind' }, t('home.indicators')),
      list.length ? h('ul', { class: 'cards' }, list.map((x) => h('li', { class: 'card' },
        h('h3', null, h('a', { href: `/indicateurs#${x.slug}` }, pick(x.title))),
        h('p', { class: 'meta' }, x.team ? t('home.by_team', { team: x.team }) : '')))) : h('p', null, t('ui.none')),
      h('p', null, h('a', { href: '/indicateurs' }, t('home.all_ind'))));
  } else fill(inds, h('h2', { id: 'home-ind' }, t('home.indicators')), errorBox(ind.reason));
}
