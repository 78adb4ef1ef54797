// The details card (#card) for a clicked risk object. Built with DOM calls and
// textContent only, so data from the server is never parsed as HTML.

import { t, lang, gradeLabel, layerLabel, attributeLabel, valueLabel, methodLabel, htmlLang, sortAttributeKeys } from './i18n.js';
import { GRADE_COLOURS, HAZARD_COLOURS } from './style.js';
import { el } from './dom.js';
import * as regrade from './regrade.js';

const card = () => /** @type {HTMLElement} */ (document.getElementById('card'));

/**
 * What the card shows:
 *  { category, id, status: 'loading'|'ok'|'notfound'|'error', feature?, preview?, error? }
 * Kept so the card can be redrawn when the language changes.
 */
let state = null;

/** Picks black or white text for legibility on a grade colour. */
function badgeTextColour(grade) {
  return grade === 'yellow' || grade === 'unassessed' ? '#1A1A1A' : '#FFFFFF';
}

export function gradeBadge(grade) {
  const g = GRADE_COLOURS[grade] ? grade : 'unassessed';
  return el('span', {
    class: 'grade-badge',
    'data-grade': g,
    style: { background: GRADE_COLOURS[g], color: badgeTextColour(g) },
  }, gradeLabel(g));
}

function formatDate(s, withTime = false) {
  if (!s) return null;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) return String(s);
  const p = (n) => String(n).padStart(2, '0');
  const date = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  return withTime ? `${date} ${p(d.getHours())}:${p(d.getMinutes())}` : date;
}

function formatNumber(n) {
  return typeof n === 'number' ? n.toLocaleString(htmlLang()) : String(n);
}

/** Renders one attribute value as text. */
function formatValue(key, v) {
  if (v == null || v === '') return t('card.none');
  if (typeof v === 'boolean') return v ? t('value.true') : t('value.false');
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return valueLabel(key, v) ?? v;
  if (Array.isArray(v)) {
    if (v.every((x) => x == null || typeof x !== 'object')) {
      return v.map((x) => (typeof x === 'string' ? (valueLabel(key, x) ?? x) : formatValue(key, x))).join(htmlLang() === 'en' ? ', ' : '、');
    }
    return JSON.stringify(v);
  }
  return JSON.stringify(v);
}

function row(label, value) {
  return el('tr', {}, el('th', { scope: 'row' }, label), el('td', {}, value ?? t('card.none')));
}

function coordsText(geom) {
  if (!geom || geom.type !== 'Point' || !Array.isArray(geom.coordinates)) return null;
  const [lon, lat] = geom.coordinates;
  if (typeof lon !== 'number' || typeof lat !== 'number') return null;
  return `${lon.toFixed(6)}, ${lat.toFixed(6)}`;
}

/** "Why this grade": the current assessment's scheme, inputs and rules. */
function whySection(a) {
  if (!a || typeof a !== 'object') return [];
  const inputs = a.inputs && typeof a.inputs === 'object' ? a.inputs : {};
  const inputText = Object.keys(inputs).length === 0 ? null
    : Object.entries(inputs).map(([k, v]) => `${attributeLabel(k)} ${formatValue(k, v)}`).join(htmlLang() === 'en' ? '; ' : '；');
  const rules = Array.isArray(a.applied) && a.applied.length > 0
    ? el('ul', { class: 'rules' }, ...a.applied.map((r) => el('li', { 'data-rule': r.rule },
      el('code', {}, r.rule), ' ', gradeBadge(r.from), ' → ', gradeBadge(r.to), ' ',
      (lang() === 'en' && r.reason) ? r.reason : r.reason_zh)))
    : t('card.noRules');
  let scheme = null;
  if (a.scheme) {
    const label = methodLabel(a.scheme);
    scheme = el('span', {}, label ? `${label} ` : '', el('code', {}, `${a.scheme} v${a.version ?? 1}`));
  }
  return [
    el('h3', { class: 'card-sub' }, t('card.why')),
    el('table', { class: 'kv why' }, el('tbody', {},
      row(t('card.scheme'), scheme),
      row(t('card.inputs'), inputText),
      row(t('card.level'), a.level || null),
      row(t('card.scored'), a.scored ? gradeBadge(a.scored) : null),
      row(t('card.rules'), rules))),
  ];
}

/** The grade history (newest first), once fetched. */
function historySection(list) {
  if (!Array.isArray(list)) return [];
  const head = el('h3', { class: 'card-sub' }, t('card.history'));
  if (list.length === 0) return [head, el('p', { class: 'muted' }, t('card.noHistory'))];
  const body = el('tbody');
  for (const h of list.slice(0, 8)) {
    body.append(el('tr', { 'data-reason': h.reason },
      el('td', {}, formatDate(h.assessed_at, true)),
      el('td', {}, gradeBadge(h.from), ' → ', gradeBadge(h.grade)),
      el('td', {}, t(`history.${h.reason}`), el('span', { class: 'muted' }, ` · ${h.assessed_by}`))));
  }
  return [head, el('table', { class: 'history' }, body)];
}

function renderHazard(root, h) {
  const colour = HAZARD_COLOURS[h.level] ?? HAZARD_COLOURS.general;
  root.append(el('div', { class: 'card-grade' },
    el('span', { class: 'grade-badge', 'data-hazard-level': h.level, style: { background: colour, color: '#FFFFFF' } }, t(`hazard.level.${h.level}`)),
    h.overdue ? el('span', { class: 'grade-badge overdue', 'data-overdue': 'true' }, t('hazard.overdue')) : null));
  root.append(el('table', { class: 'kv core' }, el('tbody', {},
    row(t('hazard.code'), h.code),
    row(t('hazard.state'), t(`state.${h.state}`)),
    row(t('hazard.unit'), h.responsible_unit || null),
    row(t('hazard.deadline'), h.rectify_deadline || null),
    row(t('hazard.supervision'), h.supervision_deadline || null),
    row(t('card.county'), h.county_code || null))));
  if (h.object_id && h.object_category) {
    // The hazard's symbol covers its object's: the object is a click away.
    root.append(el('p', { class: 'card-link' }, `${t('hazard.object')}：`,
      el('button', { type: 'button', class: 'card-action', id: 'hazard-object', 'data-object': h.object_id,
        onclick: () => reload(h.object_category, h.object_id) }, h.object_name || `#${h.object_id}`)));
  }
  if (Array.isArray(h.events)) {
    root.append(el('h3', { class: 'card-sub' }, t('hazard.steps')));
    root.append(el('ol', { class: 'steps' }, ...h.events.map((e) => el('li', {},
      `${formatDate(e.at, true)} ${t(`state.${e.to}`)}`, el('span', { class: 'muted' }, ` · ${e.actor}${e.note ? ` · ${e.note}` : ''}`)))));
  }
}

function renderRegion(root, p) {
  const body = el('tbody');
  for (const g of ['red', 'orange', 'yellow', 'blue', 'unassessed']) {
    body.append(el('tr', { 'data-grade': g }, el('th', { scope: 'row' }, gradeBadge(g)), el('td', {}, formatNumber(p[`n_${g}`] ?? 0))));
  }
  const total = ['red', 'orange', 'yellow', 'blue', 'unassessed'].reduce((s, g) => s + (p[`n_${g}`] ?? 0), 0);
  body.append(row(t('region.total'), formatNumber(total)));
  root.append(el('table', { class: 'kv region' }, body));
}

function render() {
  const root = card();
  if (!root) return;
  root.replaceChildren();
  if (!state) { root.hidden = true; return; }
  root.hidden = false;

  if (state.category === 'hidden_hazards' || state.category === 'region') {
    const p = state.feature ?? state.preview ?? {};
    const close = el('button', { type: 'button', class: 'card-close', 'aria-label': t('card.close'), title: t('card.close') }, '×');
    close.addEventListener('click', () => closeCard());
    const hazard = state.category === 'hidden_hazards';
    root.append(el('header', { class: 'card-head' },
      el('div', { class: 'card-kicker' }, t(hazard ? 'hazard.kicker' : 'region.kicker')),
      el('h2', { class: 'card-title', id: 'card-title' }, (hazard ? p.title : (p.name || p.code)) ?? `#${state.id}`),
      close));
    if (!hazard) {
      root.append(el('div', { class: 'card-grade' }, gradeBadge(p.grade ?? 'unassessed')));
      renderRegion(root, p);
    } else if (state.status === 'ok') {
      renderHazard(root, p);
    } else if (state.status === 'loading') {
      root.append(el('p', { class: 'card-status' }, t('card.loading')));
    } else {
      root.append(el('p', { class: 'card-status card-error' }, `${t('card.error')}: ${state.error}`));
    }
    return;
  }

  const p = state.feature?.properties ?? state.preview ?? {};
  const grade = p.grade ?? 'unassessed';

  const close = el('button', { type: 'button', class: 'card-close', 'aria-label': t('card.close'), title: t('card.close') }, '×');
  close.addEventListener('click', () => closeCard());

  root.append(el('header', { class: 'card-head' },
    el('div', { class: 'card-kicker' }, layerLabel(state.category)),
    el('h2', { class: 'card-title', id: 'card-title' }, p.name ?? `#${state.id}`),
    close));

  root.append(el('div', { class: 'card-grade' }, gradeBadge(grade)));

  if (state.status === 'loading') {
    root.append(el('p', { class: 'card-status' }, t('card.loading')));
    return;
  }
  if (state.status === 'notfound') {
    root.append(el('p', { class: 'card-status card-error' }, t('card.notFound')));
    return;
  }
  if (state.status === 'error') {
    root.append(el('p', { class: 'card-status card-error' }, `${t('card.error')}: ${state.error}`));
    return;
  }

  const f = state.feature;
  const [po, pc] = htmlLang() === 'en' ? [' (', ')'] : ['（', '）'];
  const countyName = p.county_name ? (p.county ? `${p.county_name}${po}${p.county}${pc}` : p.county_name) : (p.county ?? null);
  let method = null;
  if (p.method) {
    const label = methodLabel(p.method);
    method = label ? el('span', {}, label, ' ', el('code', {}, p.method)) : el('code', {}, p.method);
  }
  let source = null;
  if (p.source || p.source_id) {
    source = el('span', {}, p.source ?? '', p.source_id ? el('span', { class: 'muted' }, ` · ${p.source_id}`) : null);
  }

  const core = el('table', { class: 'kv core' }, el('tbody', {},
    row(t('card.county'), countyName),
    row(t('card.method'), method),
    row(t('card.score'), p.score == null ? null : formatNumber(p.score)),
    row(t('card.assessedAt'), formatDate(p.assessed_at)),
    row(t('card.source'), source),
    row(t('card.updatedAt'), formatDate(p.updated_at, true)),
    row(t('card.coords'), coordsText(f?.geometry)),
  ));
  root.append(core);
  root.append(...whySection(p.assessment));
  if (regrade.allowed()) {
    const { category, id } = state;
    root.append(...regrade.section(category, id, p, render, () => reload(category, id, p)));
  }
  root.append(...historySection(state.history));

  // The assessment's inputs are shown under 评估依据 alone: an attribute of
  // the same key (the import's first values) would be a second, older
  // answer to the same question.
  const attrs = p.attributes && typeof p.attributes === 'object' ? p.attributes : {};
  const assessed = new Set(Object.keys((p.assessment && p.assessment.inputs) || {}));
  const keys = sortAttributeKeys(Object.keys(attrs).filter((k) => !assessed.has(k)));
  root.append(el('h3', { class: 'card-sub' }, t('card.attributes')));
  if (keys.length === 0) {
    root.append(el('p', { class: 'muted' }, t('card.noAttributes')));
  } else {
    const body = el('tbody');
    for (const k of keys) {
      const label = attributeLabel(k);
      const th = el('th', { scope: 'row', title: k }, label);
      body.append(el('tr', { 'data-key': k }, th, el('td', {}, formatValue(k, attrs[k]))));
    }
    root.append(el('table', { class: 'kv attrs' }, body));
  }
}

/** Shows the card for an object, first with what the tile knows, then the full record. */
export function showLoading(category, id, preview) {
  state = { category, id, status: 'loading', preview };
  render();
}

export function showFeature(category, id, feature) {
  if (!state || state.category !== category || state.id !== id) return;
  state = { ...state, status: 'ok', feature };
  render();
}

export function showHistory(category, id, history) {
  if (!state || state.category !== category || state.id !== id) return;
  state = { ...state, history };
  render();
}

/** Shows a region's counts from its tile feature; nothing to fetch. */
export function showRegion(id, properties) {
  state = { category: 'region', id, status: 'ok', feature: properties };
  render();
}

export function showError(category, id, status, error) {
  if (!state || state.category !== category || state.id !== id) return;
  state = { ...state, status, error };
  render();
}

/** Registered by app.js to clear the selection highlight. */
let onClose = null;
export function setOnClose(fn) { onClose = fn; }

let reload = () => {};
/** fn(category, id, preview) reads an object again and shows it (after a re-grading). */
export function setReload(fn) { reload = fn; }

/** Who is logged in, for what the card offers them. */
export function setUser(s) { regrade.setUser(s); render(); }

export function closeCard() {
  if (!state) return;
  state = null;
  render();
  if (onClose) onClose();
}

export function isOpen() { return state !== null; }

/** Redraws in the current language. */
export function rerender() { render(); }
