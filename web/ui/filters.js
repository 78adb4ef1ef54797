// The map's filter bar, beside the search box: the grades and the county
// the risk layers show (the tile endpoint's grade= and county=; the
// categories are the layer list's). Changing it reloads the tiles with
// the filter; the report map, built from the same style, prints what the
// map shows.

import { t, gradeLabel } from './i18n.js';
import { fetchJSON } from './api.js';
import { el, redraw } from './dom.js';
import { GRADE_COLOURS, SOURCE_ID, setTileFilter, tilesURL } from './style.js';

const GRADES = ['red', 'orange', 'yellow', 'blue', 'unassessed'];
const KEY = 'riskmap.filter';

const state = { grades: new Set(), county: '', counties: [] };
window.__filters = state;
let root = null;
let map = null;

/** The filter as the tile endpoint's query ('' for none). */
export function query() {
  const q = new URLSearchParams();
  if (state.grades.size > 0 && state.grades.size < GRADES.length) q.set('grade', GRADES.filter((g) => state.grades.has(g)).join(','));
  if (state.county) q.set('county', state.county);
  return q.toString();
}

/** Draws the bar into box and sets the filter kept from the last visit (before the map's style is built). */
export function enable(box) {
  root = box;
  try {
    const kept = JSON.parse(localStorage.getItem(KEY) || '{}');
    state.grades = new Set((kept.grades || []).filter((g) => GRADES.includes(g)));
    state.county = typeof kept.county === 'string' ? kept.county : '';
  } catch { /* none kept */ }
  setTileFilter(query());
  render();
  fetchJSON('api/v1/stats/regions?level=county')
    .then((r) => {
      state.counties = (r.regions || []).map((x) => ({ code: x.code, name: x.name || x.code })).sort((a, b) => (a.code < b.code ? -1 : 1));
      if (state.county && !state.counties.some((c) => c.code === state.county)) { state.county = ''; apply(); }
      render();
    })
    .catch(() => { /* the county list stays empty */ });
}

/** The map whose tiles the filter reloads. */
export function attach(m) { map = m; }

function apply() {
  localStorage.setItem(KEY, JSON.stringify({ grades: [...state.grades], county: state.county }));
  setTileFilter(query());
  const src = map && map.getSource(SOURCE_ID);
  if (src && typeof src.setTiles === 'function') src.setTiles([tilesURL()]);
  render();
}

function toggleGrade(g) {
  if (state.grades.has(g)) state.grades.delete(g);
  else state.grades.add(g);
  apply();
}

/** Redraws the bar in the current language. */
export function render() {
  if (!root) return;
  redraw(root, (box) => {
    const active = query() !== '';
    box.append(
      el('div', { class: 'filter-grades', role: 'group', 'aria-label': t('filter.grades') },
        el('span', { class: 'filter-label' }, t('filter.grades')),
        ...GRADES.map((g) => el('button', { type: 'button', class: `chip grade-chip${state.grades.has(g) ? ' on' : ''}`, 'data-grade': g,
          'aria-pressed': String(state.grades.has(g)), title: gradeLabel(g), onclick: () => toggleGrade(g) },
          el('i', { style: { background: GRADE_COLOURS[g] } }), gradeLabel(g)))),
      el('label', { class: 'filter-county' }, el('span', { class: 'filter-label' }, t('filter.county')),
        (() => {
          const s = el('select', { name: 'county', onchange: (e) => { state.county = e.target.value; apply(); } },
            el('option', { value: '' }, t('filter.allCounties')), ...state.counties.map((c) => el('option', { value: c.code }, c.name)));
          s.value = state.county;
          return s;
        })()),
      active ? el('p', { class: 'hint filter-on', id: 'filter-on' }, t('filter.on'), ' ',
        el('button', { type: 'button', class: 'linkish', id: 'filter-clear', onclick: () => { state.grades.clear(); state.county = ''; apply(); } }, t('filter.clear'))) : null);
  });
}
