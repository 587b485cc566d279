// i18n.js -- every word the portal shows comes from the message catalogs
// (src/i18n/<lang>/*.json, merged by build.mjs, which refuses a key missing
// in one language). French by default; the choice is kept in localStorage.
// Each language is its own chunk, loaded by loadLang() before a page uses
// t(): a reader downloads one language, not both.
const LOADERS = {
  fr: () => import('messages/fr'),
  en: () => import('messages/en'),
};
const catalogs = {};

export const LANGS = ['fr', 'en'];
let current = 'fr';
try {
  const saved = localStorage.getItem('cm.lang');
  if (LANGS.includes(saved)) current = saved;
} catch (e) {
  /* Storage refused (private mode): French */
}

export function lang() {
  return current;
}

export async function loadLang(l) {
  if (!catalogs[l]) catalogs[l] = (await LOADERS[l]()).default;
}

export async function setLang(l) {
  if (!LANGS.includes(l)) return;
  await loadLang(l);
  current = l;
  document.documentElement.lang = l;
  try {
    localStorage.setItem('cm.lang', l);
  } catch (e) {
    /* The choice lasts for this page only */
  }
}

// t('catalog.results', {n: 3}) -> "3 jeux de données". {name} placeholders;
// a missing key shows itself, so a gap is seen in review, not hidden.
export function t(key, params) {
  const s = catalogs[current]?.[key] ?? key;
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
}

// Plural form: keys KEY.one and KEY.other.
export function tn(key, n, params) {
  const form = new Intl.PluralRules(current).select(n) === 'one' ? 'one' : 'other';
  return t(`${key}.${form}`, { n: fmtNumber(n), ...params });
}

// A {fr, en} object from the API, in the current language when present.
export function pick(obj) {
  if (obj === null || obj === undefined) return '';
  if (typeof obj === 'string') return obj;
  return obj[current] ?? obj.fr ?? obj.en ?? Object.values(obj)[0] ?? '';
}

export function fmtNumber(n, digits) {
  if (n === null || n === undefined || Number.isNaN(n)) return '';
  const opts = digits === undefined ? { maximumFractionDigits: 2 } : { maximumFractionDigits: digits };
  return new Intl.NumberFormat(current === 'fr' ? 'fr-FR' : 'en-GB', opts).format(n);
}

export function fmtDate(iso, withTime) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const opts = withTime
    ? { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }
    : { dateStyle: 'medium', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(current === 'fr' ? 'fr-FR' : 'en-GB', opts).format(d);
}

export function fmtBytes(n) {
  if (n === null || n === undefined) return '';
  const units = ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i += 1;
  }
  return `${fmtNumber(v, i ? 1 : 0)} ${t(`unit.${units[i]}`)}`;
}
