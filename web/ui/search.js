// The map page's search box: risk objects by name, address or credit
// code (GET api/v1/search), the results with their grade's colour,
// category and division; picking one (click, or ↑↓ and Enter) hands it to
// the page, which flies there and opens its card.
//
// The state lives in `st`; draw() renders it and keeps the input as it
// is (only the list below it is redrawn).

import { t, layerLabel } from './i18n.js';
import { fetchJSON } from './api.js';
import { el } from './dom.js';
import { GRADE_COLOURS } from './style.js';

const st = { q: '', results: null, active: -1, status: 'idle', error: '' }; // status: idle, short, loading, done, error
let onPick = () => {};
let timer = 0;
let ctl = null;
let box = null;

/** Puts the search box in root; pick(hit) is called with the result chosen. */
export function enable(root, pick) {
  onPick = pick;
  const input = el('input', {
    id: 'search-input', type: 'search', autocomplete: 'off', spellcheck: 'false', maxlength: '100',
    'aria-controls': 'search-results', 'aria-autocomplete': 'list',
    oninput: () => { st.q = input.value; schedule(); },
    onkeydown: keydown,
  });
  box = { input, list: el('ul', { id: 'search-results', role: 'listbox' }) };
  root.replaceChildren(input, box.list);
  draw();
}

/** Draws again in the page's language. */
export function rerender() { if (box) draw(); }

function schedule() {
  clearTimeout(timer);
  const q = st.q.trim();
  if (ctl) { ctl.abort(); ctl = null; }
  if ([...q.replace(/[\s\p{P}\p{S}]/gu, '')].length < 2) {
    st.status = q ? 'short' : 'idle';
    st.results = null;
    draw();
    return;
  }
  timer = setTimeout(() => run(q), 200);
}

async function run(q) {
  ctl = new AbortController();
  const mine = ctl;
  st.status = 'loading';
  draw();
  try {
    const r = await fetchJSON(`api/v1/search?q=${encodeURIComponent(q)}&limit=20`, { signal: mine.signal });
    if (mine !== ctl) return;
    st.results = r.results;
    st.active = r.results.length ? 0 : -1;
    st.status = 'done';
  } catch (err) {
    if (err.name === 'AbortError') return;
    st.status = 'error';
    st.error = err.detail || err.message;
  }
  draw();
}

function keydown(e) {
  const n = st.results ? st.results.length : 0;
  if (e.key === 'ArrowDown' && n) { st.active = (st.active + 1) % n; draw(); e.preventDefault(); }
  else if (e.key === 'ArrowUp' && n) { st.active = (st.active - 1 + n) % n; draw(); e.preventDefault(); }
  else if (e.key === 'Enter' && n && st.active >= 0) { pick(st.results[st.active]); e.preventDefault(); }
  else if (e.key === 'Escape') { st.q = ''; box.input.value = ''; schedule(); }
}

function pick(hit) {
  onPick(hit);
}

function draw() {
  box.input.placeholder = t('search.placeholder');
  box.input.setAttribute('aria-label', t('search.placeholder'));
  const items = [];
  if (st.status === 'short') items.push(el('li', { class: 'search-note' }, t('search.short')));
  if (st.status === 'loading' && !st.results) items.push(el('li', { class: 'search-note' }, t('search.loading')));
  if (st.status === 'error') items.push(el('li', { class: 'search-note', role: 'alert', title: st.error }, t('search.error')));
  if (st.status === 'done' && st.results.length === 0) items.push(el('li', { class: 'search-note' }, t('search.none')));
  if (st.status !== 'short' && st.status !== 'idle' && st.results) {
    st.results.forEach((h, i) => items.push(el('li', {
      role: 'option', class: 'search-hit', 'aria-selected': i === st.active ? 'true' : 'false', 'data-id': h.id, 'data-category': h.category,
      onmousedown: (e) => { e.preventDefault(); pick(h); },
    },
    el('span', { class: 'dot', style: { background: GRADE_COLOURS[h.grade] || GRADE_COLOURS.unassessed } }),
    el('span', { class: 'hit-text' }, el('b', {}, h.name),
      el('small', {}, [layerLabel(h.category), h.division_name, h.match === 'code' ? h.uscc : (h.address || '')].filter(Boolean).join(' · '))))));
  }
  box.list.replaceChildren(...items);
  box.list.hidden = items.length === 0;
}
