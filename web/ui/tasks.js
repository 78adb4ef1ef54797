// The tasks page (待办事项): what waits for the user's division, from
// GET api/v1/tasks — incidents to receive (接报), supervisions (督办) to
// acknowledge (签收), report back on (反馈) or lift (摘牌), hidden hazards
// waiting for a step, which a level above may put under its supervision
// (挂牌督办) — and, for a division that supervises, how far each division
// below has come (GET api/v1/supervisions). It reads them again whenever
// the event stream says tasks moved.
//
// The state lives in `state`; render() draws it, and never reads the DOM
// back, except for the drafts of forms, which are kept in state as typed.

import * as i18n from './i18n.js';
import { t, htmlLang } from './i18n.js';
import { fetchJSON, inView, send, session, viewDivision, withinDivision } from './api.js';
import { el, fill, num, redraw } from './dom.js';
import { levelLabel } from './dispatch.js';
import { openStream } from './live.js';

const state = {
  who: null,         // the session: {user, role, division, division_name}
  config: null,      // config.json (the division shown)
  tasks: null,       // GET api/v1/tasks
  issued: null,      // GET api/v1/supervisions
  loading: true,
  needLogin: false,
  error: '',         // the last read's failure
  message: null,     // {kind: 'done'|'error', text, detail}
  form: null,        // {kind: 'supervise'|'feedback'|'lift', id, draft: {…}}
  busy: false,
  link: 'connecting',
};

const canWrite = () => state.who && (state.who.role === 'planner' || state.who.role === 'admin');
const canReceive = () => state.who && (state.who.role === 'dispatcher' || state.who.role === 'admin');

/** Whether the user's division is above code (so it may supervise what lies there). */
function above(code) {
  const mine = state.who && state.who.division;
  return !!code && (mine ? mine !== code && withinDivision(mine, code) : true);
}

function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(htmlLang(), { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

function errorText(err) {
  switch (err && err.status) {
    case 401: return t('tasks.err.login');
    case 403: return t('tasks.err.forbidden');
    case 404: return t('tasks.err.notFound');
    case 409: return t('tasks.err.conflict');
    case 400: case 422: return t('tasks.err.bad');
    default: return t('tasks.err.failed');
  }
}

// ---------------------------------------------------------------- reading

let loading = null;

/** Reads the tasks (and what the division issued) again, then draws. */
function load() {
  if (loading) { loading.again = true; return loading.done; }
  const run = { again: false };
  run.done = (async () => {
    try {
      const [tasks, issued] = await Promise.all([fetchJSON('api/v1/tasks'), fetchJSON('api/v1/supervisions')]);
      state.tasks = tasks;
      state.issued = issued;
      state.error = '';
    } catch (err) {
      if (err.status === 401) state.needLogin = true;
      else state.error = `${errorText(err)} ${err.detail || ''}`.trim();
    } finally {
      state.loading = false;
      loading = null;
      render();
      if (run.again) load();
    }
  })();
  loading = run;
  return run.done;
}

// ---------------------------------------------------------------- writing

async function act(what, method, url, body) {
  if (state.busy) return;
  state.busy = true;
  render();
  try {
    await send(method, url, body);
    state.form = null;
    state.message = { kind: 'done', text: fill('tasks.done', { what }) };
  } catch (err) {
    state.message = { kind: 'error', text: fill('tasks.failed', { what, why: errorText(err) }), detail: err.detail || '' };
  } finally {
    state.busy = false;
  }
  await load();
}

const receive = (r) => act(t('tasks.receive'), 'POST', `api/v1/incidents/${r.incident_id}/receipts`, { division: r.division_code });
const acknowledge = (s) => act(t('tasks.acknowledge'), 'POST', `api/v1/supervisions/${s.id}/acknowledge`, {});

function submitForm(e) {
  e.preventDefault();
  const f = state.form;
  if (!f) return;
  const d = f.draft;
  if (f.kind === 'supervise') {
    const body = { mode: d.mode || 'listed', requirements: d.requirements || '' };
    if (d.division) body.division = d.division;
    if (d.window) body.window_days = Number(d.window);
    act(t('tasks.supervise'), 'POST', `api/v1/hidden-hazards/${f.id}/supervisions`, body);
  } else if (f.kind === 'feedback') {
    act(t('tasks.feedback'), 'POST', `api/v1/supervisions/${f.id}/feedback`, { note: d.note || '' });
  } else if (f.kind === 'lift') {
    act(t('tasks.lift'), 'POST', `api/v1/supervisions/${f.id}/lift`, { note: d.note || '' });
  }
}

function openForm(kind, id, draft = {}) {
  state.form = { kind, id, draft };
  state.message = null;
  render();
  const first = document.querySelector('form.inline [name]');
  if (first) first.focus();
}

// ---------------------------------------------------------------- drawing

function field(name, label, control) {
  const f = state.form;
  control.name = name;
  if (f.draft[name] != null) control.value = f.draft[name];
  control.addEventListener('input', () => { f.draft[name] = control.value; });
  return el('label', {}, el('span', {}, label), control);
}

function formFor(kind, id) {
  const f = state.form;
  if (!f || f.kind !== kind || f.id !== id) return null;
  const rows = [];
  if (kind === 'supervise') {
    const mode = el('select', {}, ...['listed', 'covert', 'ordinary'].map((m) => el('option', { value: m }, t(`tasks.mode.${m}`))));
    rows.push(field('mode', t('tasks.superviseMode'), mode));
    if (!state.who.division) {
      // A user of the whole deployment says which division supervises.
      rows.push(field('division', t('tasks.superviseDivision'), el('input', { type: 'text', inputmode: 'numeric', pattern: '[0-9]{6}|[0-9]{9}', required: true })));
    }
    rows.push(field('window', t('tasks.window'), el('input', { type: 'number', min: '1', max: '366', placeholder: t('tasks.windowHint') })));
    rows.push(field('requirements', t('tasks.requirements'), el('textarea', { rows: '2', maxlength: '4000' })));
  } else {
    const key = kind === 'feedback' ? 'tasks.feedbackNote' : 'tasks.liftNote';
    rows.push(field('note', t(key), el('textarea', { rows: '3', maxlength: '4000', required: kind === 'feedback' })));
  }
  return el('form', { class: 'inline', 'data-form': kind, onsubmit: submitForm },
    ...rows,
    el('div', {},
      el('button', { class: 'act primary', type: 'submit', disabled: state.busy }, t('tasks.submit')),
      el('button', { class: 'act', type: 'button', onclick: () => { state.form = null; render(); } }, t('tasks.cancel'))));
}

function due(iso, late) {
  return el('span', {}, when(iso), late ? [' ', el('span', { class: 'badge late' }, t('tasks.overdue'))] : null);
}

function block(id, titleKey, count, late, body) {
  return el('section', { class: 'block', id },
    el('h2', {}, t(titleKey), el('span', { class: 'count' }, fill('tasks.count', { n: num(count || 0), late: num(late || 0) }))),
    body);
}

function table(head, rows) {
  if (!rows.length) return el('p', { class: 'empty' }, t('tasks.none'));
  return el('table', {}, el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { class: h.num ? 'num' : null }, h.text ?? h)))),
    el('tbody', {}, ...rows));
}

function more(listed, total) {
  return total > listed ? el('p', { class: 'muted' }, fill('tasks.more', { n: num(total - listed) })) : null;
}

function receiptRows(list) {
  return list.map((r) => el('tr', { class: r.overdue ? 'overdue' : null, 'data-incident': r.incident_id },
    el('td', {}, r.title, el('div', { class: 'muted' }, `${levelLabel(r.level)} · ${fill('tasks.reported', { time: when(r.reported_at) })}`)),
    el('td', {}, r.division_name || r.division_code),
    el('td', {}, due(r.due_at, r.overdue)),
    el('td', { class: 'actions' }, canReceive()
      ? el('button', { class: 'act primary', type: 'button', disabled: state.busy, onclick: () => receive(r) }, t('tasks.receive')) : null)));
}

function stepDue(s) {
  switch (s.step) {
    case 'acknowledge': return due(s.ack_due, s.ack_late || s.overdue);
    case 'feedback': return due(s.feedback_due, s.feedback_late || s.overdue);
    default: return el('span', {}, s.deadline_on, s.overdue ? [' ', el('span', { class: 'badge late' }, t('tasks.overdue'))] : null);
  }
}

function supervisionActions(s) {
  if (!canWrite()) return [];
  const b = (key, on, primary) => el('button', { class: primary ? 'act primary' : 'act', type: 'button', disabled: state.busy, onclick: on }, t(key));
  switch (s.step) {
    case 'acknowledge': return [b('tasks.acknowledge', () => acknowledge(s), true)];
    case 'feedback': case 'rectify': return [b('tasks.feedback', () => openForm('feedback', s.id), s.step === 'feedback')];
    case 'lift': return [b('tasks.lift', () => openForm('lift', s.id), true)];
    default: return [];
  }
}

function supervisionRows(list, { lift = false } = {}) {
  return list.map((s) => el('tr', { class: s.overdue ? 'overdue' : null, 'data-supervision': s.id, 'data-step': s.step },
    el('td', {}, s.hazard_code, ' ', s.hazard_title,
      s.hazard_level === 'major' ? [' ', el('span', { class: 'badge major' }, t('hazard.level.major'))] : null,
      el('div', { class: 'muted' }, `${t(`tasks.mode.${s.mode}`)} · ${fill('tasks.by', { name: s.division_name || s.division_code })} · ${t(`state.${s.hazard_state}`)}`),
      s.requirements ? el('div', { class: 'muted' }, s.requirements) : null,
      s.feedback_note ? el('div', { class: 'muted' }, `${t('tasks.lastFeedback')}${s.feedback_note}`) : null,
      formFor('feedback', s.id), formFor('lift', s.id)),
    el('td', {}, el('span', { class: 'badge' }, t(`tasks.step.${s.step}`))),
    el('td', {}, stepDue(s)),
    el('td', { class: 'actions' }, ...(lift ? (s.step !== 'lifted' && canWrite()
      ? [el('button', { class: 'act', type: 'button', disabled: state.busy, onclick: () => openForm('lift', s.id) }, t('tasks.lift'))] : [])
      : supervisionActions(s)))));
}

function hazardRows(list) {
  return list.map((h) => el('tr', { class: h.overdue || h.supervision_overdue ? 'overdue' : null, 'data-hazard': h.id },
    el('td', {}, h.code, ' ', h.title, h.level === 'major' ? [' ', el('span', { class: 'badge major' }, t('hazard.level.major'))] : null,
      formFor('supervise', h.id)),
    el('td', {}, t(`state.${h.state}`)),
    el('td', {}, h.division_name || h.division_code),
    el('td', {}, h.rectify_deadline ? el('span', {}, h.rectify_deadline, h.overdue ? [' ', el('span', { class: 'badge late' }, t('tasks.overdue'))] : null) : '—'),
    el('td', { class: 'actions' }, canWrite() && above(h.division_code) && !(h.supervised_by || []).includes(state.who.division)
      ? el('button', { class: 'act', type: 'button', disabled: state.busy, onclick: () => openForm('supervise', h.id, { mode: h.level === 'major' ? 'listed' : 'ordinary' }) }, t('tasks.supervise'))
      : null)));
}

function completionRows(list) {
  return list.map((d) => {
    const done = d.total ? (d.rectified / d.total) : 0;
    return el('tr', { 'data-division': d.division_code },
      el('td', {}, d.name || d.division_code),
      ...['total', 'acknowledged', 'fed_back', 'rectified', 'lifted'].map((k) => el('td', { class: 'num' }, num(d[k]))),
      el('td', { class: 'num' }, d.overdue ? el('span', { class: 'badge late' }, num(d.overdue)) : '0'),
      el('td', {}, el('div', { class: 'bar', title: `${num(done * 100)}%` }, el('i', { style: { width: `${Math.round(done * 100)}%` } })),
        el('span', { class: 'muted' }, `${num(done * 100)}%`)));
  });
}

function render() {
  document.getElementById('title').textContent = state.config && state.config.division
    ? fill('tasks.titleOf', { name: state.config.division.name }) : t('tasks.title');
  document.title = document.getElementById('title').textContent;
  document.getElementById('back').href = inView('./');
  document.getElementById('lang-toggle').textContent = i18n.otherLang() === 'en' ? 'English' : '中文';
  const link = document.getElementById('link');
  link.textContent = t(`tasks.link.${state.link}`);
  link.dataset.state = state.link;

  redraw(document.getElementById('tasks'), drawInto);
}

function drawInto(main) {
  if (state.needLogin) {
    main.append(el('p', { class: 'message error' }, t('tasks.login'), ' ',
      el('a', { href: `./?next=tasks${viewDivision ? `&division=${encodeURIComponent(viewDivision)}` : ''}` }, t('tasks.loginLink'))));
    return;
  }
  if (state.loading) { main.append(el('p', { class: 'empty' }, t('tasks.loading'))); return; }
  if (state.message) {
    main.append(el('p', { class: `message ${state.message.kind}`, role: state.message.kind === 'error' ? 'alert' : 'status', title: state.message.detail || null },
      state.message.text));
  }
  if (state.error) main.append(el('p', { class: 'message error', role: 'alert' }, state.error));
  const ts = state.tasks;
  if (!ts) return;
  const c = ts.counts || {};
  main.append(el('div', { class: 'summary' },
    ...[['receipts', 'tasks.receipts'], ['supervisions', 'tasks.supervisions'], ['hazards', 'tasks.hazards']].map(([k, key]) =>
      el('div', { class: 'figure', 'data-count': k }, el('span', {}, t(key)), el('b', {}, num(c[k] || 0)),
        el('span', { class: c[`${k}_overdue`] ? 'late' : 'muted' }, fill('tasks.late', { n: num(c[`${k}_overdue`] || 0) }))))));

  main.append(block('t-receipts', 'tasks.receipts', c.receipts, c.receipts_overdue,
    [table([t('tasks.col.incident'), t('tasks.col.receiver'), t('tasks.due'), ''], receiptRows(ts.receipts || [])), more((ts.receipts || []).length, c.receipts)]));
  main.append(block('t-supervisions', 'tasks.supervisions', c.supervisions, c.supervisions_overdue,
    [table([t('tasks.col.hazard'), t('tasks.col.step'), t('tasks.due'), ''], supervisionRows(ts.supervisions || [])), more((ts.supervisions || []).length, c.supervisions)]));
  main.append(block('t-hazards', 'tasks.hazards', c.hazards, c.hazards_overdue,
    [table([t('tasks.col.hazard'), t('hazard.state'), t('tasks.col.division'), t('hazard.deadline'), ''], hazardRows(ts.hazards || [])), more((ts.hazards || []).length, c.hazards)]));

  const is = state.issued;
  if (is && (is.supervisions.length || is.by_division.length)) {
    const late = is.by_division.reduce((n, d) => n + d.overdue, 0);
    const total = is.by_division.reduce((n, d) => n + d.total, 0);
    main.append(block('t-issued', 'tasks.issued', total, late, [
      table([t('tasks.col.division'), ...['total', 'acknowledged', 'fed_back', 'rectified', 'lifted', 'overdue'].map((k) => ({ text: t(`tasks.col.${k}`), num: true })), t('tasks.col.rate')],
        completionRows(is.by_division)),
      table([t('tasks.col.hazard'), t('tasks.col.step'), t('tasks.due'), ''], supervisionRows(is.supervisions, { lift: true })),
    ]));
  }
}

// ---------------------------------------------------------------- start

async function main() {
  i18n.applyToDocument();
  document.getElementById('lang-toggle').addEventListener('click', () => i18n.setLang(i18n.otherLang()));
  i18n.onLangChange(() => { i18n.applyToDocument(); render(); });
  render();
  try {
    state.who = await session();
  } catch (err) {
    state.error = `${errorText(err)} ${err.detail || ''}`.trim();
  }
  if (!state.who) {
    state.needLogin = true;
    state.loading = false;
    render();
    return;
  }
  if (state.who.division && !viewDivision) {
    // A user of a division lands on its tasks.
    const url = new URL(window.location.href);
    url.searchParams.set('division', state.who.division);
    window.location.replace(url.href);
    return;
  }
  try {
    state.config = await fetchJSON('config.json');
  } catch { /* the title stays plain */ }
  await load();
  openStream({ tasks: () => load(), resync: () => load() }, {
    onStatus: (s) => { state.link = s; render(); },
  });
}

main().catch((err) => { state.error = String(err && err.message ? err.message : err); state.loading = false; render(); });
