// Re-grading on the object card (重新评估), for planners and admins: the
// inputs of the schemes in force for the object's category (LEC's L, E
// and C with their meanings, MES, LS, a bridge's class or Dr score, …,
// from GET api/v1/grading/schemes), the grade they would give shown
// before saving (POST …/assessments?dry_run=true), a comment for the
// audit log, and the save with If-Match, so that an object someone else
// changed meanwhile is a clear conflict rather than a lost edit.
//
// The form's state lives in `st` (one object at a time); section() draws
// it into the card, and the card draws again when it changes (redraw).

import { t, gradeLabel } from './i18n.js';
import { fetchJSON, send } from './api.js';
import { el, fill } from './dom.js';

let who = null;
let st = null; // {key, open, schemes, scheme, inputs, comment, preview, message, busy, etag}
const schemesOf = new Map(); // category → schemes (in force; read once a page)

/** Who is logged in (api.js session()), or null: the form is a planner's or an admin's. */
export function setUser(s) { who = s; }

/** Whether the logged-in user may re-grade. */
export function allowed() { return !!who && (who.role === 'planner' || who.role === 'admin'); }

// The schemes a form can fill in: those that read inputs a person gives.
const FILLABLE = new Set(['product', 'score', 'class', 'major_hazard']);
const inputsOf = (sc) => (sc.method === 'product' ? sc.factors : [sc.input]);

/**
 * The card's 重新评估 part for object id of category, whose properties
 * (with their assessment) are p; redraw() draws the card again, saved()
 * reads the object again once an assessment is saved.
 */
export function section(category, id, p, redraw, saved) {
  const key = `${category}/${id}`;
  if (!st || st.key !== key) st = { key, open: false, inputs: {}, comment: '' };
  if (!st.open) {
    return [el('button', { type: 'button', class: 'card-action', id: 'regrade-open', onclick: () => open(category, id, p, redraw) }, t('regrade.open'))];
  }
  const out = [el('h3', { class: 'card-sub' }, t('regrade.open'))];
  if (!st.schemes) {
    out.push(el('p', { class: 'muted' }, st.message || t('regrade.loading')));
    return out;
  }
  const fillable = st.schemes.filter((sc) => FILLABLE.has(sc.method));
  if (fillable.length === 0) {
    out.push(el('p', { class: 'muted' }, t('regrade.none')));
    return out;
  }
  const sc = fillable.find((x) => x.code === st.scheme) || fillable[0];
  st.scheme = sc.code;
  const pick = el('select', { name: 'scheme', onchange: (e) => { st.scheme = e.target.value; st.preview = null; redraw(); } },
    ...fillable.map((x) => el('option', { value: x.code, selected: x.code === sc.code }, x.name_zh || x.code)));
  const fields = inputsOf(sc).map((k) => el('label', {}, el('span', {}, t(`regrade.input.${k}`) === `regrade.input.${k}` ? k : t(`regrade.input.${k}`)), control(sc, k, redraw)));
  const comment = el('textarea', { name: 'comment', rows: '2', maxlength: '2000', placeholder: t('regrade.commentHint') });
  comment.value = st.comment;
  comment.addEventListener('input', () => { st.comment = comment.value; });
  const form = el('form', { class: 'regrade', id: 'regrade', onsubmit: (e) => { e.preventDefault(); save(category, id, redraw, saved); } },
    el('label', {}, el('span', {}, t('regrade.scheme')), pick),
    ...fields,
    el('label', {}, el('span', {}, t('regrade.comment')), comment),
    st.preview ? el('p', { class: 'regrade-preview', 'data-grade': st.preview.grade },
      fill('regrade.result', { to: gradeLabel(st.preview.grade), from: gradeLabel(st.preview.from || 'unassessed') }),
      st.preview.level ? ` · ${st.preview.level}` : '') : null,
    st.message ? el('p', { class: 'regrade-message', role: 'alert' }, st.message) : null,
    el('div', { class: 'regrade-buttons' },
      el('button', { type: 'button', id: 'regrade-preview', disabled: st.busy, onclick: () => preview(category, id, redraw) }, t('regrade.preview')),
      el('button', { type: 'submit', id: 'regrade-save', class: 'primary', disabled: st.busy || !st.preview }, t('regrade.save')),
      el('button', { type: 'button', onclick: () => { st.open = false; redraw(); } }, t('regrade.cancel'))));
  out.push(form);
  return out;
}

function control(sc, k, redraw) {
  const set = (v) => { st.inputs[k] = v; st.preview = null; st.message = ''; redraw(); };
  if (sc.method === 'product' && sc.options && sc.options[k]) {
    const s = el('select', { name: k, onchange: (e) => set(Number(e.target.value)) },
      el('option', { value: '' }, '—'),
      ...sc.options[k].map((v) => {
        const meaning = t(`regrade.${k}.${v}`);
        return el('option', { value: String(v), selected: st.inputs[k] === v }, meaning === `regrade.${k}.${v}` ? String(v) : `${v} · ${meaning}`);
      }));
    return s;
  }
  if (sc.method === 'class') {
    return el('select', { name: k, onchange: (e) => set(e.target.value) },
      el('option', { value: '' }, '—'),
      ...Object.keys(sc.map || {}).map((v) => el('option', { value: v, selected: st.inputs[k] === v }, v)));
  }
  const i = el('input', { name: k, type: 'number', step: 'any' });
  if (st.inputs[k] != null) i.value = String(st.inputs[k]);
  i.addEventListener('change', () => set(i.value === '' ? undefined : Number(i.value)));
  return i;
}

async function open(category, id, p, redraw) {
  st.open = true;
  st.preview = null;
  st.message = '';
  const a = p.assessment || {};
  st.scheme = a.scheme || '';
  st.inputs = { ...(a.inputs || {}) };
  redraw();
  try {
    if (!schemesOf.has(category)) schemesOf.set(category, (await fetchJSON(`api/v1/grading/schemes?category=${encodeURIComponent(category)}`)).schemes);
    st.schemes = schemesOf.get(category);
    // The version read, for If-Match.
    const res = await fetch(`ogc/collections/${encodeURIComponent(category)}/items/${encodeURIComponent(id)}`, { headers: { Accept: 'application/geo+json' } });
    st.etag = res.headers.get('ETag') || '';
  } catch (err) {
    st.message = fill('regrade.failed', { why: err.detail || err.message });
  }
  redraw();
}

function body() {
  const sc = st.schemes.find((x) => x.code === st.scheme);
  const inputs = {};
  for (const k of inputsOf(sc)) if (st.inputs[k] !== undefined && st.inputs[k] !== '') inputs[k] = st.inputs[k];
  return { inputs, comment: st.comment };
}

function reason(err) {
  if (err.status === 409) return t('regrade.conflict');
  if (err.status === 403) return t('regrade.forbidden');
  const param = err.problem && err.problem.param;
  return fill('regrade.failed', { why: param ? `${param}${err.detail ? `: ${err.detail}` : ''}` : (err.detail || err.message) });
}

async function preview(category, id, redraw) {
  st.busy = true;
  st.message = '';
  redraw();
  try {
    st.preview = await send('POST', `api/v1/objects/${encodeURIComponent(id)}/assessments?dry_run=true`, body());
  } catch (err) {
    st.preview = null;
    st.message = reason(err);
  }
  st.busy = false;
  redraw();
}

async function save(category, id, redraw, saved) {
  st.busy = true;
  redraw();
  try {
    await send('POST', `api/v1/objects/${encodeURIComponent(id)}/assessments`, body(), st.etag ? { 'If-Match': st.etag } : undefined);
    st = null;
    saved();
  } catch (err) {
    st.busy = false;
    st.message = reason(err);
    redraw();
  }
}
