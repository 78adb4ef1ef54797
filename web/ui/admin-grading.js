// The administration page's 评定方案 block: the grading schemes and
// override rules in force (GET api/v1/grading), each with its version and
// who changed it last, when and why; switching one on or off with a
// reason (POST api/v1/grading/switch), tried first (a dry run says which
// grades would move) and then made; and a new set of definitions loaded
// from a JSON file (POST api/v1/grading/load), whose faults are listed per
// item and field. Only an admin of the whole deployment may change them.
//
// Its state lives in `g`; gradingBlock draws it, and the reasons being
// typed are kept in g as typed, so a redraw loses nothing.

import { t, gradeLabel, htmlLang, layerLabel, methodLabel } from './i18n.js';
import { fetchJSON, send } from './api.js';
import { el, fill, num } from './dom.js';

const g = {
  schemes: [],
  rules: [],
  versions: new Map(), // "scheme:code" → [versions, newest first]
  change: null,        // the switch being made: {kind, key, enabled, reason, preview, busy}
  load: { reason: '', name: '', text: '', preview: null, faults: null, busy: false },
  result: null,        // what the last change did: {stored, regrade}
  error: '',
};

/** Reads the configuration in force and its versions. */
export async function loadGrading() {
  const r = await fetchJSON('api/v1/grading');
  g.schemes = r.schemes;
  g.rules = r.rules;
  g.versions = new Map();
  for (const v of r.versions) {
    const k = `${v.kind}:${v.key}`;
    if (!g.versions.has(k)) g.versions.set(k, []);
    g.versions.get(k).push(v);
  }
}

const problemText = (err) => [err && err.status ? `HTTP ${err.status}` : '', err && err.detail ? err.detail : String(err && err.message ? err.message : err)].filter(Boolean).join(' · ');

/** "orange→red" as the grades' names. */
const moveLabel = (m) => m.split('→').map((x) => gradeLabel(x)).join(' → ');

function movesList(regrade) {
  const moves = Object.entries(regrade.moves || {}).sort((a, b) => b[1] - a[1]);
  return el('div', { class: 'moves' },
    el('p', {}, fill('grading.regraded', { objects: num(regrade.objects), changed: num(regrade.changed) })),
    moves.length ? el('ul', {}, ...moves.map(([m, n]) => el('li', { 'data-move': m }, `${moveLabel(m)}：${num(n)}`)))
      : el('p', { class: 'muted' }, t('grading.noMoves')),
    regrade.problems ? el('p', { class: 'message error' }, fill('grading.problems', { n: num(regrade.problems) })) : null);
}

async function trySwitch(rerender, dryRun) {
  const c = g.change;
  if (!c || c.busy) return;
  c.busy = true;
  g.error = '';
  rerender();
  try {
    const r = await send('POST', 'api/v1/grading/switch', { kind: c.kind, key: c.key, enabled: c.enabled, reason: c.reason, dry_run: dryRun });
    if (dryRun) {
      c.preview = r;
    } else {
      g.result = r;
      g.change = null;
      await loadGrading();
    }
  } catch (err) {
    g.error = problemText(err);
  }
  if (g.change) g.change.busy = false;
  rerender();
}

async function tryLoad(rerender, dryRun) {
  const l = g.load;
  if (l.busy) return;
  let set;
  try {
    set = JSON.parse(l.text);
  } catch (err) {
    l.faults = [{ item: '', kind: 'set', code: '', field: '', reason: fill('grading.notJSON', { err: err.message }) }];
    rerender();
    return;
  }
  l.busy = true;
  l.faults = null;
  g.error = '';
  rerender();
  try {
    const r = await send('POST', 'api/v1/grading/load', { reason: l.reason, dry_run: dryRun, set });
    if (dryRun) {
      l.preview = r;
    } else {
      g.result = r;
      g.load = { reason: '', name: '', text: '', preview: null, faults: null, busy: false };
      await loadGrading();
    }
  } catch (err) {
    if (err.problem && err.problem.fields) l.faults = err.problem.fields;
    else g.error = problemText(err);
  }
  g.load.busy = false;
  rerender();
}

function lastChange(kind, key) {
  const vs = g.versions.get(`${kind}:${key}`) || [];
  const v = vs[0];
  if (!v) return null;
  return el('div', { class: 'muted' }, fill('grading.version', { v: v.version }), ' · ', v.loaded_by, ' · ',
    new Date(v.loaded_at).toLocaleDateString(htmlLang()), v.reason ? ` · ${v.reason}` : '');
}

function switchButton(kind, key, enabled, may, rerender) {
  if (!may) return null;
  return el('button', { class: 'act', type: 'button', 'data-switch': `${kind}:${key}`,
    onclick: () => { g.change = { kind, key, enabled: !enabled, reason: '', preview: null, busy: false }; g.result = null; g.error = ''; rerender(); } },
  t(enabled ? 'grading.turnOff' : 'grading.turnOn'));
}

function changeForm(rerender) {
  const c = g.change;
  if (!c) return null;
  const reason = el('textarea', { name: 'grading-reason', rows: '2', maxlength: '500', required: true, placeholder: t('grading.reasonHint') });
  reason.value = c.reason;
  reason.addEventListener('input', () => { c.reason = reason.value; c.preview = null; });
  return el('form', { class: 'inline', id: 'grading-change', onsubmit: (e) => { e.preventDefault(); trySwitch(rerender, false); } },
    el('h3', {}, fill(c.enabled ? 'grading.turnOnWhat' : 'grading.turnOffWhat', { key: c.key })),
    el('label', {}, el('span', {}, t('grading.reason')), reason),
    c.preview ? el('div', { id: 'grading-preview', class: 'message' }, el('p', {}, t('grading.previewSays')), movesList(c.preview.regrade)) : null,
    el('div', {},
      el('button', { class: 'act', type: 'button', id: 'grading-try', disabled: c.busy, onclick: () => trySwitch(rerender, true) }, t('grading.try')),
      el('button', { class: 'act primary', type: 'submit', disabled: c.busy }, t('grading.apply')),
      el('button', { class: 'act', type: 'button', onclick: () => { g.change = null; rerender(); } }, t('grading.cancel'))));
}

function loadForm(rerender) {
  const l = g.load;
  const file = el('input', { type: 'file', accept: '.json,application/json', name: 'grading-file' });
  file.addEventListener('change', async () => {
    const f = file.files && file.files[0];
    if (!f) return;
    l.name = f.name;
    l.text = await f.text();
    l.preview = null;
    l.faults = null;
    rerender();
  });
  const reason = el('textarea', { name: 'grading-load-reason', rows: '2', maxlength: '500', required: true, placeholder: t('grading.reasonHint') });
  reason.value = l.reason;
  reason.addEventListener('input', () => { l.reason = reason.value; });
  const faults = l.faults && l.faults.length ? el('table', { id: 'grading-faults' },
    el('thead', {}, el('tr', {}, ...[t('grading.item'), t('grading.code'), t('grading.field'), t('grading.fault')].map((h) => el('th', {}, h)))),
    el('tbody', {}, ...l.faults.map((f) => el('tr', { 'data-item': f.item, 'data-field': f.field },
      el('td', {}, f.item || t('grading.wholeFile')), el('td', {}, f.code || ''), el('td', {}, el('code', {}, f.field || '—')), el('td', {}, f.reason))))) : null;
  return el('form', { class: 'inline', id: 'grading-load', onsubmit: (e) => { e.preventDefault(); tryLoad(rerender, false); } },
    el('h3', {}, t('grading.load')),
    el('p', { class: 'muted' }, t('grading.loadHint')),
    el('label', {}, el('span', {}, t('grading.file')), file, l.name ? el('span', { class: 'muted' }, l.name) : null),
    el('label', {}, el('span', {}, t('grading.reason')), reason),
    faults ? el('p', { class: 'message error', role: 'alert' }, fill('grading.faults', { n: l.faults.length })) : null,
    faults,
    l.preview ? el('div', { id: 'grading-load-preview', class: 'message' },
      el('p', {}, l.preview.stored.length ? fill('grading.wouldStore', { list: l.preview.stored.join('、') }) : t('grading.nothingNew')),
      movesList(l.preview.regrade)) : null,
    el('div', {},
      el('button', { class: 'act', type: 'button', id: 'grading-load-try', disabled: l.busy || !l.text, onclick: () => tryLoad(rerender, true) }, t('grading.try')),
      el('button', { class: 'act primary', type: 'submit', disabled: l.busy || !l.text }, t('grading.loadApply'))));
}

/**
 * The 评定方案 block. who is the admin (a division admin only reads);
 * rerender draws the page again.
 */
export function gradingBlock(who, rerender) {
  const may = who && !who.division;
  const schemes = g.schemes.map((s) => el('tr', { 'data-scheme': s.code, class: s.enabled ? null : 'disabled' },
    el('td', {}, layerLabel(s.category)),
    el('td', {}, s.name_zh, el('div', { class: 'muted' }, s.code, s.source ? ` · ${s.source}` : '')),
    el('td', {}, methodLabel(s.code) || t(`grading.method.${s.method}`)),
    el('td', {}, String(s.priority)),
    el('td', {}, el('span', { class: s.enabled ? 'badge' : 'badge late' }, t(s.enabled ? 'grading.on' : 'grading.off')), lastChange('scheme', s.code)),
    el('td', { class: 'actions' }, switchButton('scheme', s.code, s.enabled, may, rerender))));
  const rules = g.rules.map((r) => el('tr', { 'data-rule': r.key, class: r.enabled ? null : 'disabled' },
    el('td', {}, r.key),
    el('td', {}, r.reason_zh, el('div', { class: 'muted' }, `${r.when.var} ${r.when.op} ${r.when.value}`, r.source ? ` · ${r.source}` : '')),
    el('td', {}, r.category ? layerLabel(r.category) : t('grading.allCategories')),
    el('td', {}, el('span', { class: r.enabled ? 'badge' : 'badge late' }, t(r.enabled ? 'grading.on' : 'grading.off')), lastChange('rule', r.key)),
    el('td', { class: 'actions' }, switchButton('rule', r.key, r.enabled, may, rerender))));
  const head = (...hs) => el('thead', {}, el('tr', {}, ...hs.map((h) => el('th', {}, h))));
  return el('section', { class: 'block', id: 'a-grading' }, el('h2', {}, t('grading.title')),
    el('p', { class: 'pad muted' }, t(may ? 'grading.intro' : 'grading.readOnly')),
    g.error ? el('p', { class: 'message error', role: 'alert' }, g.error) : null,
    g.result ? el('div', { class: 'message done', id: 'grading-result', role: 'status' },
      el('p', {}, g.result.stored.length ? fill('grading.stored', { list: g.result.stored.join('、') }) : t('grading.nothingNew')),
      movesList(g.result.regrade)) : null,
    el('div', { class: 'pad' }, changeForm(rerender)),
    el('h3', { class: 'pad' }, t('grading.schemes')),
    el('table', { id: 'grading-schemes' }, head(t('grading.category'), t('grading.name'), t('grading.methodCol'), t('grading.priority'), t('admin.status'), ''),
      el('tbody', {}, ...schemes)),
    el('h3', { class: 'pad' }, t('grading.rules')),
    el('table', { id: 'grading-rules' }, head(t('grading.key'), t('grading.ruleWhat'), t('grading.category'), t('admin.status'), ''),
      el('tbody', {}, ...rules)),
    may ? el('div', { class: 'pad' }, loadForm(rerender)) : null);
}
