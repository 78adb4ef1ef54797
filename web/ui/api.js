// Requests to the riskmap API: JSON in and out, problem bodies turned into
// errors that carry the status, and writes sent with the session's CSRF
// token (the server refuses a session's write without it).

let csrfToken = '';
let loggedIn = false;

/** The event a page hears when the server stopped knowing its session (it ran out, or was ended elsewhere). */
export const SESSION_EXPIRED = 'riskmap:session-expired';

/**
 * The division the page shows: its ?division= (a county's map or wall,
 * /?division=331122); '' for the whole map (or, for a logged-in user,
 * their own division, which the server applies by itself).
 */
export const viewDivision = new URLSearchParams(window.location.search).get('division') || '';

/**
 * url (a relative URL of this server) with the page's division: the
 * server then answers for that division only.
 */
export function inView(url) {
  if (!viewDivision || /^[a-z]+:/i.test(url)) return url;
  return `${url}${url.includes('?') ? '&' : '?'}division=${encodeURIComponent(viewDivision)}`;
}

/**
 * Whether division code lies in scope or below it (scope '' is the whole
 * deployment): codes nest by prefix (GB/T 2260, GB/T 10114), as the
 * server's geo.Within has it.
 */
export function withinDivision(scope, code) {
  if (!scope) return true;
  if (!code) return false;
  let prefix = scope;
  if (scope.length === 6) prefix = scope.endsWith('0000') ? scope.slice(0, 2) : scope.endsWith('00') ? scope.slice(0, 4) : scope;
  return code.startsWith(prefix);
}

/** Remembers the session's CSRF token (from GET/POST api/v1/session). */
export function setCSRF(token) { csrfToken = token || ''; }

/** The session's CSRF token, for a write sent otherwise than by send (an upload with progress). */
export function csrf() { return csrfToken; }

/**
 * Fetches url and parses its JSON body. A failure throws an Error with
 * .status (the HTTP status, when there was an answer) and .detail (the
 * problem's detail, for a title attribute or the console).
 */
export async function fetchJSON(url, opts = {}) {
  if (!opts.method || opts.method === 'GET') url = inView(url);
  let res;
  try {
    res = await fetch(url, { headers: { Accept: 'application/json' }, ...opts });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new Error(`${url}: ${err && err.message ? err.message : err}`);
  }
  let body = null;
  const text = await res.text();
  if (text) {
    try { body = JSON.parse(text); } catch { body = null; }
  }
  if (!res.ok) {
    if (res.status === 401 && loggedIn && !url.includes('api/v1/session')) {
      loggedIn = false;
      window.dispatchEvent(new CustomEvent(SESSION_EXPIRED));
    }
    const detail = body && (body.detail || body.title);
    const err = new Error(`${url}: HTTP ${res.status}${detail ? ` ${detail}` : ''}`);
    err.status = res.status;
    err.detail = detail || '';
    err.problem = body;
    throw err;
  }
  if (res.status === 204) return null;
  if (body === null) throw new Error(`${url}: response is not JSON`);
  return body;
}

/**
 * Sends a write (POST, PUT, PATCH, DELETE) with a JSON body and the CSRF
 * token; extra headers (If-Match) are added.
 */
export function send(method, url, body, extra) {
  const headers = { Accept: 'application/json', 'X-CSRF-Token': csrfToken, ...(extra || {}) };
  const opts = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  return fetchJSON(url, opts);
}

/**
 * Watches a logged-in session: asked again every minute and whenever the
 * window comes back into focus, so that a session that ran out (or was
 * ended elsewhere) is noticed even where reads need none (SESSION_EXPIRED).
 */
export function watchSession() {
  const check = async () => {
    if (!loggedIn) return;
    try {
      const res = await fetch('api/v1/session', { headers: { Accept: 'application/json' } });
      if (res.status === 401 && loggedIn) {
        loggedIn = false;
        window.dispatchEvent(new CustomEvent(SESSION_EXPIRED));
      }
    } catch { /* the network: the next check */ }
  };
  setInterval(check, 60000);
  window.addEventListener('focus', check);
}

/** Ends the session (the server forgets it and clears its cookie). */
export async function logout() {
  await send('DELETE', 'api/v1/session');
  loggedIn = false;
  csrfToken = '';
}

/**
 * The logged-in user ({user, role, division, division_name, csrf_token}), or null when nobody is
 * logged in (401) or the server keeps no users (404).
 */
export async function session() {
  try {
    const s = await fetchJSON('api/v1/session');
    setCSRF(s && s.csrf_token);
    loggedIn = !!s;
    return s;
  } catch (err) {
    if (err.status === 401 || err.status === 404 || err.status === 403) return null;
    throw err;
  }
}
