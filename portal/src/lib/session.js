// session.js -- who is logged in. The session cookie is HttpOnly, so the
// page asks /api/v1/auth/me, and only when it opened a session earlier
// (a flag in sessionStorage): a citizen's visit makes no such request.
let current = null;
const listeners = new Set();
const FLAG = 'cm.session';

export function session() {
  return current;
}

export function onSession(fn) {
  listeners.add(fn);
}

function set(s) {
  current = s;
  try {
    if (s) sessionStorage.setItem(FLAG, '1');
    else sessionStorage.removeItem(FLAG);
  } catch (e) {
    /* No storage: the session lasts until the page is reloaded */
  }
  for (const fn of listeners) fn(current);
}

export function forgetSession() {
  set(null);
}

export function hasRole(...roles) {
  return !!current && roles.includes(current.role);
}

// Called once at start. The import is late to avoid a cycle with api.js.
export async function loadSession() {
  let flagged = false;
  try {
    flagged = sessionStorage.getItem(FLAG) === '1';
  } catch (e) {
    flagged = false;
  }
  if (!flagged) return null;
  const { api } = await import('./api.js');
  try {
    const { data } = await api('GET', '/api/v1/auth/me');
    set(data);
  } catch (e) {
    set(null);
  }
  return current;
}

export async function login(name, password) {
  const { api } = await import('./api.js');
  const { data } = await api('POST', '/api/v1/auth/login', { body: { name, password } });
  set(data);
  return data;
}

export async function logout() {
  const { api } = await import('./api.js');
  try {
    await api('POST', '/api/v1/auth/logout');
  } finally {
    set(null);
  }
}
