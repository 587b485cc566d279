// api.js -- the one way pages call the server. Every failure becomes an
// ApiError carrying the envelope {error: {code, message, details}}, or the
// code 'unreachable' when no answer came; errorBox() (ui.js) turns either
// into a readable message. Writes carry the session's CSRF token.
import { session, forgetSession } from './session.js';

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details ?? null;
  }
}

// api('GET', '/api/v1/datasets', {query: {q: 'x'}}), or with {body: obj},
// {text: 'lua source', type: 'text/x-lua'}, {headers: {...}}.
// Resolves to {status, data, headers}; rejects with an ApiError.
export async function api(method, path, opts = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(opts.query || {})) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)) continue;
    url.searchParams.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };
  let body;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  } else if (opts.text !== undefined) {
    headers['Content-Type'] = opts.type || 'text/plain; charset=utf-8';
    body = opts.text;
  }
  const s = session();
  if (method !== 'GET' && s && s.csrf_token) headers['X-CSRF-Token'] = s.csrf_token;
  let res;
  try {
    res = await fetch(url, { method, headers, body, credentials: 'same-origin', signal: opts.signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'unreachable', e.message);
  }
  let data = null;
  const type = res.headers.get('Content-Type') || '';
  if (res.status !== 204) {
    if (type.includes('json')) {
      try {
        data = await res.json();
      } catch (e) {
        throw new ApiError(res.status, 'bad_response', e.message);
      }
    } else {
      data = await res.text();
    }
  }
  if (!res.ok) {
    const env = data && typeof data === 'object' && data.error ? data.error : null;
    const err = new ApiError(
      res.status,
      env ? env.code : `http_${res.status}`,
      env ? env.message : String(data || res.statusText),
      env ? env.details : null,
    );
    err.retryAfter = res.headers.get('Retry-After');
    // A session that the server no longer knows is gone: say so once.
    if (res.status === 401 && s) {
      err.code = 'session_lost';
      forgetSession();
    }
    throw err;
  }
  return { status: res.status, data, headers: res.headers };
}

// The URL a page shows as "this view through the API".
export function apiUrl(path, query) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)) continue;
    url.searchParams.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  return url.href;
}
