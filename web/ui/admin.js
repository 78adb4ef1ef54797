// The administration page (系统管理), for admins: the users of their
// division and below (list, add with role and division, disable, reset
// the password), API tokens (list, create, shown once; revoke), the
// grading schemes and rules (admin-grading.js) and the audit log
// (filters by actor, action and time, paging, CSV export), over the API
// an admin already has (api/v1/users, api/v1/tokens, api/v1/grading,
// api/v1/audit).
//
// The state lives in `state`; render() draws it, and the drafts of the
// forms are kept in state as typed, so a redraw loses nothing.

import * as i18n from './i18n.js';
import { t, htmlLang } from './i18n.js';
import { fetchJSON, inView, send, viewDivision } from './api.js';
import { openWorkbench } from './work.js';
import { el, fill, redraw, downloadCSV } from './dom.js';
import { gradingBlock, loadGrading } from './admin-grading.js';

const ROLES = ['viewer', 'dispatcher', 'editor', 'planner', 'admin'];
const PAGE = 50;

const state = {
  who: null,
  users: [],
  tokens: [],
  entries: [],     // the audit log's entries read so far, newest first
  more: false,     // whether older entries may follow
  filter: { actor: '', action: '', since: '', until: '' },
  draft: { user: { role: 'viewer' }, token: { role: '' } },
  token: null,     // a token just made: {id, token, role, expires_at}, shown once
  otp: null,       // a one-time password just set: {user, password}, shown once
  message: null,   // {kind: 'done'|'error', text}
  busy: false,
  denied: false,
  loading: true,
};

const roleLabel = (r) => { const s = t(`role.${r}`); return s === `role.${r}` ? r : s; };
const actionLabel = (a) => { const s = t(`audit.${a}`); return s === `audit.${a}` ? a : `${s}（${a}）`; };
const when = (iso) => new Date(iso).toLocaleString(htmlLang(), { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });

function problem(err) {
  const p = err && err.problem;
  const field = p && (p.param || p.field);
  return [t(`admin.err.${err && err.status}`) === `admin.err.${err && err.status}` ? t('admin.err.other') : t(`admin.err.${err.status}`),
    field ? fill('admin.err.field', { field }) : '', err && err.detail ? `（${err.detail}）` : ''].join('');
}

// ---------------------------------------------------------------- reading

async function loadUsers() {
  const [u, tk] = await Promise.all([fetchJSON('api/v1/users'), fetchJSON('api/v1/tokens')]);
  state.users = u.users || [];
  state.tokens = tk.tokens || [];
}

function auditURL(before) {
  const q = new URLSearchParams({ limit: String(PAGE) });
  for (const [k, v] of Object.entries(state.filter)) {
    if (!v) continue;
    q.set(k, k === 'since' || k === 'until' ? new Date(v).toISOString() : v);
  }
  if (before) q.set('before', String(before));
  return `api/v1/audit?${q}`;
}

async function loadAudit(older) {
  const before = older && state.entries.length ? state.entries[state.entries.length - 1].id : 0;
  const r = await fetchJSON(auditURL(before));
  state.entries = older ? state.entries.concat(r.entries) : r.entries;
  state.more = r.entries.length === PAGE;
}

async function reload() {
  try {
    await Promise.all([loadUsers(), loadAudit(false), loadGrading()]);
  } catch (err) {
    if (err.status === 401 || err.status === 403) state.denied = true;
    else state.message = { kind: 'error', text: problem(err) };
  }
  state.loading = false;
  render();
}

// ---------------------------------------------------------------- writing

async function act(what, fn) {
  if (state.busy) return;
  state.busy = true;
  state.message = null;
  render();
  try {
    await fn();
    state.message = { kind: 'done', text: fill('admin.done', { what }) };
  } catch (err) {
    state.message = { kind: 'error', text: `${what}：${problem(err)}` };
  }
  state.busy = false;
  try { await Promise.all([loadUsers(), loadAudit(false)]); } catch { /* said on the next try */ }
  render();
}

function addUser(e) {
  e.preventDefault();
  const d = state.draft.user;
  act(t('admin.addUser'), async () => {
    await send('POST', 'api/v1/users', { name: d.name || '', display_name: d.display_name || '', role: d.role || 'viewer',
      division: d.division || '', password: d.password || '' });
    state.draft.user = { role: 'viewer' };
  });
}

function disableUser(u) {
  act(fill('admin.disableWho', { name: u.name }), () => send('PATCH', `api/v1/users/${encodeURIComponent(u.name)}`, { disabled: true }));
}

function resetPassword(u) {
  act(fill('admin.resetWho', { name: u.name }), async () => {
    state.otp = await send('POST', `api/v1/users/${encodeURIComponent(u.name)}/password`);
  });
}

function createToken(e) {
  e.preventDefault();
  const d = state.draft.token;
  act(t('admin.createToken'), async () => {
    const body = { name: d.name || '', user: d.user || '' };
    if (d.role) body.role = d.role;
    if (d.days) body.days = Number(d.days);
    state.token = await send('POST', 'api/v1/tokens', body);
    state.draft.token = { role: '' };
  });
}

function revokeToken(tk) {
  act(fill('admin.revokeWhich', { id: tk.id, name: tk.name }), () => send('DELETE', `api/v1/tokens/${tk.id}`));
}

/** A token's state: revoked, expired or in use. */
function tokenState(tk) {
  if (tk.revoked_at) return 'revoked';
  return new Date(tk.expires_at) <= new Date() ? 'expired' : 'valid';
}

function filterAudit(e) {
  e.preventDefault();
  loadAudit(false).then(render, (err) => { state.message = { kind: 'error', text: problem(err) }; render(); });
}

/** The entries read, as CSV. */
function exportCSV() {
  downloadCSV('audit.csv', ['id', 'at', 'actor', 'role', 'division_code', 'action', 'target', 'outcome', 'remote'], state.entries);
}

// ---------------------------------------------------------------- drawing

/** An input bound to draft[key]: what is typed stays across redraws. */
function bound(draft, key, control) {
  control.name = key;
  if (draft[key] != null) control.value = draft[key];
  control.addEventListener('input', () => { draft[key] = control.value; });
  control.addEventListener('change', () => { draft[key] = control.value; });
  return control;
}

function labelled(text, control) { return el('label', {}, el('span', {}, text), control); }

function roleSelect(draft, key, withDefault) {
  const opts = (withDefault ? [['', t('admin.roleOfUser')]] : []).concat(ROLES.map((r) => [r, roleLabel(r)]));
  const s = el('select', {}, ...opts.map(([v, l]) => el('option', { value: v }, l)));
  return bound(draft, key, s);
}

function block(id, title, ...body) {
  return el('section', { class: 'block', id }, el('h2', {}, title), ...body);
}

function usersBlock() {
  const rows = state.users.map((u) => el('tr', { 'data-user': u.name, class: u.disabled ? 'disabled' : null },
    el('td', {}, u.name, u.display_name ? el('div', { class: 'muted' }, u.display_name) : null),
    el('td', {}, roleLabel(u.role)),
    el('td', {}, u.division_name || u.division || t('who.everywhere')),
    el('td', {}, u.disabled ? el('span', { class: 'badge late' }, t('admin.disabled')) : el('span', { class: 'badge' }, t('admin.active'))),
    el('td', { class: 'actions' }, state.who && u.name === state.who.user ? null : [
      u.disabled ? null : el('button', { class: 'act', type: 'button', disabled: state.busy, onclick: () => disableUser(u) }, t('admin.disable')),
      el('button', { class: 'act', type: 'button', 'data-reset': u.name, disabled: state.busy, onclick: () => resetPassword(u) }, t(u.disabled ? 'admin.enable' : 'admin.reset'))])));
  const otp = state.otp ? el('div', { class: 'message done', id: 'new-otp' },
    el('p', {}, fill('admin.otpOnce', { name: state.otp.user })), el('code', { class: 'secret' }, state.otp.password)) : null;
  const d = state.draft.user;
  const form = el('form', { class: 'inline', id: 'add-user', onsubmit: addUser },
    el('h3', {}, t('admin.addUser')),
    labelled(t('admin.name'), bound(d, 'name', el('input', { required: true, autocomplete: 'off', maxlength: '64' }))),
    labelled(t('admin.displayName'), bound(d, 'display_name', el('input', { maxlength: '100' }))),
    labelled(t('admin.role'), roleSelect(d, 'role', false)),
    labelled(t('admin.division'), bound(d, 'division', el('input', { inputmode: 'numeric', placeholder: state.who && state.who.division ? state.who.division : t('who.everywhere') }))),
    labelled(t('admin.password'), bound(d, 'password', el('input', { type: 'password', required: true, minlength: '10', autocomplete: 'new-password' }))),
    el('p', { class: 'muted' }, t('admin.passwordHint')),
    el('div', {}, el('button', { class: 'act primary', type: 'submit', disabled: state.busy }, t('admin.add'))));
  return block('a-users', t('admin.users'), otp,
    rows.length ? el('table', {}, el('thead', {}, el('tr', {}, ...[t('admin.name'), t('admin.role'), t('admin.division'), t('admin.status'), ''].map((h) => el('th', {}, h)))),
      el('tbody', {}, ...rows)) : el('p', { class: 'empty' }, t('tasks.none')),
    el('div', { class: 'pad' }, form));
}

function tokensBlock() {
  const d = state.draft.token;
  const made = state.token ? el('div', { class: 'message done', id: 'new-token' },
    el('p', {}, fill('admin.tokenOnce', { id: state.token.id })), el('code', { class: 'secret' }, state.token.token)) : null;
  return block('a-tokens', t('admin.tokens'), el('div', { class: 'pad' },
    made,
    el('form', { class: 'inline', id: 'create-token', onsubmit: createToken },
      el('h3', {}, t('admin.createToken')),
      labelled(t('admin.tokenName'), bound(d, 'name', el('input', { required: true, maxlength: '64' }))),
      labelled(t('admin.tokenUser'), bound(d, 'user', el('input', { required: true, maxlength: '64' }))),
      labelled(t('admin.role'), roleSelect(d, 'role', true)),
      labelled(t('admin.days'), bound(d, 'days', el('input', { type: 'number', min: '1', max: '730', placeholder: '90' }))),
      el('div', {}, el('button', { class: 'act primary', type: 'submit', disabled: state.busy }, t('admin.create')))),
    el('p', { class: 'muted' }, t('admin.tokenHint'))),
    tokenTable());
}

function tokenTable() {
  if (!state.tokens.length) return el('p', { class: 'empty' }, t('admin.noTokens'));
  const day = (iso) => (iso ? new Date(iso).toLocaleDateString(htmlLang()) : '—');
  const rows = state.tokens.map((tk) => {
    const st = tokenState(tk);
    return el('tr', { 'data-token': String(tk.id), class: st === 'valid' ? null : 'disabled' },
      el('td', {}, `#${tk.id}`),
      el('td', {}, tk.name, el('div', { class: 'muted' }, fill('admin.tokenBy', { who: tk.created_by, when: day(tk.created_at) }))),
      el('td', {}, tk.user),
      el('td', {}, roleLabel(tk.role)),
      el('td', {}, tk.division_name || tk.division || t('who.everywhere')),
      el('td', {}, day(tk.expires_at)),
      el('td', {}, tk.last_used_at ? when(tk.last_used_at) : t('admin.neverUsed')),
      el('td', {}, el('span', { class: st === 'valid' ? 'badge' : 'badge late' }, t(`admin.token.${st}`))),
      el('td', { class: 'actions' }, st === 'revoked' ? null
        : el('button', { class: 'act', type: 'button', 'data-revoke': String(tk.id), disabled: state.busy, onclick: () => revokeToken(tk) }, t('admin.revokeOne'))));
  });
  return el('table', { id: 'token-list' }, el('thead', {}, el('tr', {}, ...['#', t('admin.tokenName'), t('admin.tokenUser'), t('admin.role'), t('admin.division'),
    t('admin.expires'), t('admin.lastUsed'), t('admin.status'), ''].map((h) => el('th', {}, h)))), el('tbody', {}, ...rows));
}

function auditBlock() {
  const f = state.filter;
  const rows = state.entries.map((e) => el('tr', { 'data-action': e.action, class: e.outcome !== 'ok' ? 'overdue' : null },
    el('td', {}, when(e.at)),
    el('td', {}, e.actor, e.role ? el('div', { class: 'muted' }, roleLabel(e.role)) : null),
    el('td', {}, actionLabel(e.action), el('div', { class: 'muted' }, e.target || '')),
    el('td', {}, e.outcome === 'ok' ? t('admin.ok') : el('span', { class: 'badge late' }, t(`admin.outcome.${e.outcome}`))),
    el('td', { class: 'muted' }, e.remote || '')));
  return block('a-audit', t('admin.audit'),
    el('form', { class: 'filters', id: 'audit-filter', onsubmit: filterAudit },
      labelled(t('admin.actor'), bound(f, 'actor', el('input', { placeholder: 'user:NAME' }))),
      labelled(t('admin.action'), bound(f, 'action', el('input', { placeholder: 'user.add' }))),
      labelled(t('admin.since'), bound(f, 'since', el('input', { type: 'datetime-local' }))),
      labelled(t('admin.until'), bound(f, 'until', el('input', { type: 'datetime-local' }))),
      el('button', { class: 'act primary', type: 'submit' }, t('admin.filter')),
      el('button', { class: 'act', type: 'button', onclick: exportCSV, disabled: !state.entries.length }, t('admin.csv'))),
    rows.length ? el('table', {}, el('thead', {}, el('tr', {}, ...[t('admin.at'), t('admin.actor'), t('admin.action'), t('admin.outcome'), t('admin.remote')].map((h) => el('th', {}, h)))),
      el('tbody', {}, ...rows)) : el('p', { class: 'empty' }, t('tasks.none')),
    state.more ? el('div', { class: 'pad' }, el('button', { class: 'act', type: 'button', id: 'audit-older',
      onclick: () => loadAudit(true).then(render, (err) => { state.message = { kind: 'error', text: problem(err) }; render(); }) }, t('admin.older'))) : null);
}

function render() {
  document.getElementById('title').textContent = t('admin.title');
  document.title = t('admin.title');
  document.getElementById('back').href = inView('./');
  document.getElementById('lang-toggle').textContent = i18n.otherLang() === 'en' ? 'English' : '中文';
  redraw(document.getElementById('admin'), drawInto);
}

function drawInto(main) {
  if (state.loading) { main.append(el('p', { class: 'empty' }, t('tasks.loading'))); return; }
  if (state.denied) {
    main.append(el('p', { class: 'message error' }, t('admin.denied'), ' ',
      el('a', { href: `./?next=admin${viewDivision ? `&division=${encodeURIComponent(viewDivision)}` : ''}` }, t('tasks.loginLink'))));
    return;
  }
  if (state.message) main.append(el('p', { class: `message ${state.message.kind}`, role: state.message.kind === 'error' ? 'alert' : 'status' }, state.message.text));
  main.append(usersBlock(), tokensBlock(), gradingBlock(state.who, render), auditBlock());
}

async function main() {
  state.who = await openWorkbench(render, ['admin']);
  if (!state.who) {
    state.denied = true;
    state.loading = false;
    render();
    return;
  }
  await reload();
}

main().catch((err) => { state.message = { kind: 'error', text: String(err && err.message ? err.message : err) }; state.loading = false; render(); });
