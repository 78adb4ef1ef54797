// The command-centre wall (大屏, /wall): the city's risk at a glance, live.
//
// The map in the centre (the four-colour layers, clustered below zoom 12
// with the worst grade inside); around it the panels the deployment
// chose (config.json "wall.panels"): four-colour counts per category and
// per county, hidden hazards open and overdue, active incidents, rescue
// resources, the alert ticker, the clock. Everything follows the event
// stream (live.js), which reconnects by itself; nothing needs a reload.
//
// Attention: an object that turns red or is graded up, a new incident, a
// hidden hazard turning overdue pulse on the map and wait in the ticker
// until acknowledged; a downgrade is listed quietly and leaves by itself.
// Rescue resources that send positions move on the map; a position older
// than "wall.stale_after_s" fades; a click on one shows its last hour.
// An incident opened (or one picked from the list) can be followed: the
// map zooms to it with its 1/3/5 km rings, the resources assigned to it
// with their routes, and the shelters near it; Esc (or Home) returns to
// the city.
//
// Test hooks: window.__map, window.__mapIdle, window.__mapErrors (as on
// the map page); window.__wall: {overviews, events, alerts(), mode(),
// positions(), link(), pulses(), drawn(source)} (read only).

import * as maplibregl from 'maplibre-gl';
import * as i18n from './i18n.js';
import { t } from './i18n.js';
import { buildStyle, CATEGORIES, CJK_FONTS, GRADE_COLOURS, SWITCH_LAYERS } from './style.js';
import { fetchJSON } from './api.js';
import { circle, kindLabel, LEVEL_COLOURS, levelIcon, levelLabel } from './dispatch.js';
import { el, fill, num as formatNumber } from './dom.js';
import { followTiles, openStream } from './live.js';

window.__mapIdle = false;
window.__mapErrors = [];

function recordError(msg) {
  const s = String(msg);
  window.__mapErrors.push(s);
  if (window.__mapErrors.length > 50) window.__mapErrors.shift(); // the wall runs for days
  console.error('[riskmap wall]', s);
}

const PANELS = ['categories', 'counties', 'hazards', 'incidents', 'resources', 'alerts', 'clock'];
const GRADE_ORDER = ['red', 'orange', 'yellow', 'blue', 'unassessed'];
const RANK = { unassessed: 0, blue: 1, yellow: 2, orange: 3, red: 4 };
const RING_RADII = [1000, 3000, 5000];
const MAX_ALERTS = 200; // kept; more push the oldest out (counted)
const MAX_PULSES = 40; // markers pulsing at once
const QUIET_MS = 120000; // a downgrade stays this long
const EMPTY = { type: 'FeatureCollection', features: [] };

/** The size of the wall against 1080 lines: the map's symbols grow with it as the panels do (rem). */
const SCALE = Math.max(1, Math.min(3, window.innerHeight / 1080));

const num = (n) => formatNumber(n || 0); // a count the answer lacks is none

let config = { title: '', title_en: '', center: [119.9, 28.2], zoom: 8, bounds: null, basemap: null };
let wallCfg = { panels: PANELS, follow_incidents: true, stale_after_s: 300 };
let map = null;
let overview = null;
let incidents = [];
let mode = null; // {id, incident, around, routes, seq}
let followSeq = 0;
const positions = new Map(); // resource id → GeoJSON feature
let trail = null; // {id, name, feature}
let alerts = []; // newest first
let dropped = 0;
let stream = null;
const state = { overviews: 0, events: 0 };
const vis = Object.fromEntries(['enterprises', 'bridges', 'black_spots', 'rescue_resources', 'shelters', 'hidden_hazards', 'incidents', 'positions', 'zones', 'counties'].map((k) => [k, true]));

window.__wall = {
  get overviews() { return state.overviews; },
  get events() { return state.events; },
  alerts: () => alerts.map(({ key, kind, loud, text }) => ({ key, kind, loud, text })),
  mode: () => (mode ? { id: mode.id, title: mode.incident ? mode.incident.title : '' } : null),
  positions: () => [...positions.values()].map((f) => ({ id: f.id, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1], stale: f.properties.stale })),
  link: () => (stream ? stream.status() : 'none'),
  pulses: () => document.querySelectorAll('.pulse').length,
  drawn: (id) => drawn[id] || 0,
};

// ---------------------------------------------------------------- time

function ago(when) {
  const s = Math.max(0, (Date.now() - new Date(when).getTime()) / 1000);
  if (s < 60) return t('wall.ago.now');
  if (s < 3600) return fill('wall.ago.min', { n: Math.floor(s / 60) });
  if (s < 86400) return fill('wall.ago.hour', { n: Math.floor(s / 3600) });
  return fill('wall.ago.day', { n: Math.floor(s / 86400) });
}

function renderClock() {
  const c = document.getElementById('clock');
  const now = new Date();
  const loc = i18n.htmlLang();
  c.dateTime = now.toISOString();
  c.textContent = `${now.toLocaleDateString(loc, { year: 'numeric', month: 'long', day: 'numeric' })} ${now.toLocaleDateString(loc, { weekday: 'short' })} ${now.toLocaleTimeString(loc, { hour12: false })}`;
}

// ---------------------------------------------------------------- style

/**
 * Multiplies a paint or layout size by s: numbers, the outputs of a zoom
 * curve (a zoom expression must stay the curve's input), anything else
 * wrapped in a product.
 */
export function scaleValue(v, s) {
  if (typeof v === 'number') return v * s;
  if (!Array.isArray(v)) return v;
  if (v[0] === 'interpolate') return [...v.slice(0, 3), ...v.slice(3).map((x, i) => (i % 2 === 1 ? scaleValue(x, s) : x))];
  if (v[0] === 'step') return [v[0], v[1], scaleValue(v[2], s), ...v.slice(3).map((x, i) => (i % 2 === 1 ? scaleValue(x, s) : x))];
  return ['*', s, v];
}

const SIZES = ['circle-radius', 'circle-stroke-width', 'line-width', 'text-size', 'text-halo-width', 'icon-size'];

function scaleStyle(style, s) {
  if (s === 1) return style;
  for (const l of style.layers) {
    for (const part of ['paint', 'layout']) {
      if (!l[part]) continue;
      for (const k of SIZES) if (l[part][k] !== undefined) l[part][k] = scaleValue(l[part][k], s);
    }
  }
  return style;
}

function wallStyle() {
  const style = buildStyle(config, {});
  // The county outlines carry the city's shape on the wall: brighter.
  for (const l of style.layers) {
    if (l.id === 'county-line') l.paint['line-color'] = '#4FC3F7';
    if (l.id === 'county-fill') l.paint['fill-opacity'] = 0.14;
  }
  return scaleStyle(style, SCALE);
}

function cityBounds() {
  const b = config.bounds;
  if (!Array.isArray(b) || b.length !== 4 || !b.every(Number.isFinite) || b[0] >= b[2] || b[1] >= b[3]) return null;
  return [[b[0], b[1]], [b[2], b[3]]];
}

function cityView(animate = true) {
  const b = cityBounds();
  if (b) map.fitBounds(b, { padding: 30 * SCALE, animate });
  else map.jumpTo({ center: config.center, zoom: config.zoom });
}

// ---------------------------------------------------------------- map

function createMap() {
  const opts = {
    container: 'map',
    style: wallStyle(),
    center: config.center,
    zoom: config.zoom,
    localIdeographFontFamily: CJK_FONTS,
    attributionControl: false,
    locale: i18n.maplibreLocale(),
    maxZoom: 18,
    dragRotate: false,
    pitchWithRotate: false,
    fadeDuration: 0,
  };
  const b = cityBounds();
  if (b) { opts.bounds = b; opts.fitBoundsOptions = { padding: 30 * SCALE }; }
  const m = new maplibregl.Map(opts);
  m.addControl(new maplibregl.AttributionControl({ compact: false }), 'bottom-right');
  m.addControl(new maplibregl.ScaleControl({ unit: 'metric', maxWidth: 160 * SCALE }), 'bottom-left');
  m.on('error', (e) => {
    const err = e && e.error;
    recordError(`${e && e.sourceId ? `[${e.sourceId}] ` : ''}${err && err.message ? err.message : String(err || 'map error')}`);
  });
  const onIdle = () => {
    if (m.isStyleLoaded() && m.areTilesLoaded()) { window.__mapIdle = true; m.off('idle', onIdle); }
  };
  m.on('idle', onIdle);
  return m;
}

/** The wall's own layers over the tiles: incidents, rings, routes, positions, a trail. */
function addOverlays() {
  for (const l of Object.keys(LEVEL_COLOURS)) {
    const { image, pixelRatio } = levelIcon(l);
    map.addImage(`incident-${l}`, image, { pixelRatio });
  }
  const geo = (id) => map.addSource(id, { type: 'geojson', data: EMPTY });
  ['wall-rings', 'wall-routes', 'wall-trail', 'wall-positions', 'wall-incidents'].forEach(geo);
  map.addLayer({ id: 'wall-rings', type: 'line', source: 'wall-rings',
    paint: { 'line-color': '#FFFFFF', 'line-opacity': 0.8, 'line-width': 1.5 * SCALE, 'line-dasharray': [3, 2] } });
  map.addLayer({ id: 'wall-routes', type: 'line', source: 'wall-routes', layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': '#00E5FF', 'line-width': 4 * SCALE, 'line-opacity': ['case', ['get', 'straight'], 0.6, 0.95] } });
  map.addLayer({ id: 'wall-trail', type: 'line', source: 'wall-trail', layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: { 'line-color': '#FFEB3B', 'line-width': 3 * SCALE, 'line-opacity': 0.9 } });
  // A resource that reported: a cyan (available) or magenta (dispatched)
  // disc, fading when its last fix is older than the threshold.
  map.addLayer({ id: 'wall-positions', type: 'circle', source: 'wall-positions',
    paint: {
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 7, 5 * SCALE, 13, 9 * SCALE],
      'circle-color': ['match', ['get', 'status'], 'dispatched', '#FF4FD8', '#00E5FF'],
      'circle-stroke-color': '#FFFFFF',
      'circle-stroke-width': 2 * SCALE,
      'circle-opacity': ['match', ['get', 'stale'], 'fresh', 1, 'stale', 0.4, 0.15],
      'circle-stroke-opacity': ['match', ['get', 'stale'], 'fresh', 1, 'stale', 0.4, 0.15],
    } });
  map.addLayer({ id: 'wall-incidents', type: 'symbol', source: 'wall-incidents',
    layout: {
      'icon-image': ['concat', 'incident-', ['coalesce', ['get', 'level'], 'IV']],
      'icon-size': 1.3 * SCALE,
      'icon-allow-overlap': true,
      'icon-ignore-placement': true,
      'symbol-sort-key': ['match', ['get', 'level'], 'I', 4, 'II', 3, 'III', 2, 1],
    } });
  map.on('click', 'wall-incidents', (e) => { const f = e.features && e.features[0]; if (f) follow(Number(f.properties.id)); });
  map.on('click', 'wall-positions', (e) => { const f = e.features && e.features[0]; if (f) toggleTrail(Number(f.properties.resource_id)); });
  for (const id of ['wall-incidents', 'wall-positions']) {
    map.on('mouseenter', id, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', id, () => { map.getCanvas().style.cursor = ''; });
  }
}

const drawn = {}; // features last given to each overlay source (a test hook)
const setData = (id, data) => {
  const s = map && map.getSource(id);
  if (!s) return;
  s.setData(data);
  drawn[id] = data.features ? data.features.length : data.geometry ? 1 : 0;
};

// ---------------------------------------------------------------- overview

let overviewTimer = 0;
let overviewSeq = 0;

/** Reads the counts again, at most every 300 ms (changes come in bursts). */
function scheduleOverview() {
  if (overviewTimer) return;
  overviewTimer = setTimeout(() => { overviewTimer = 0; loadOverview(); }, 300);
}

async function loadOverview() {
  const my = ++overviewSeq;
  try {
    const o = await fetchJSON('api/v1/stats/overview');
    if (my !== overviewSeq) return;
    overview = o;
    state.overviews += 1;
    renderOverview();
  } catch (err) {
    recordError(`overview ${err.message}`);
    // The wall's session ran out (--session-hours): log in again, and come back here.
    if (err.status === 401) window.location.href = './?next=wall';
  }
}

function stack(counts, total) {
  const bar = el('div', { class: 'stack', 'aria-hidden': 'true' });
  for (const g of GRADE_ORDER) {
    const n = counts[g] || 0;
    if (n > 0) bar.append(el('i', { 'data-grade': g, style: { flexGrow: String(n / Math.max(1, total)), background: GRADE_COLOURS[g] } }));
  }
  return bar;
}

/** Removes a list's last items until it fits its box, then says how many were left out. */
function fitList(list, render) {
  const items = [...list.children];
  let hidden = 0;
  while (list.children.length > 1 && list.scrollHeight > list.clientHeight + 1) {
    list.lastElementChild.remove();
    hidden += 1;
  }
  if (hidden > 0) {
    list.lastElementChild.remove();
    hidden += 1;
    list.append(render(hidden));
  }
  return items.length - hidden;
}

function renderOverview() {
  if (!overview) return;
  const cats = overview.categories || {};
  // The city: all categories together, as a ring and per grade.
  const city = Object.fromEntries(GRADE_ORDER.map((g) => [g, 0]));
  let total = 0;
  for (const c of Object.values(cats)) {
    for (const g of GRADE_ORDER) city[g] += c[g] || 0;
    total += c.total || 0;
  }
  let at = 0;
  const stops = [];
  for (const g of GRADE_ORDER) {
    const share = total > 0 ? (city[g] / total) * 360 : 0;
    if (share > 0) stops.push(`${GRADE_COLOURS[g]} ${at}deg ${at + share}deg`);
    at += share;
  }
  const ring = document.getElementById('city-ring');
  ring.style.background = stops.length ? `conic-gradient(${stops.join(', ')})` : '';
  ring.setAttribute('aria-label', GRADE_ORDER.map((g) => `${i18n.gradeLabel(g)} ${city[g]}`).join('，'));
  document.getElementById('city-total').textContent = num(total);
  document.getElementById('city-grades').replaceChildren(...GRADE_ORDER.map((g) => el('li', { 'data-grade': g },
    el('span', { class: 'swatch', style: { background: GRADE_COLOURS[g] } }), i18n.gradeLabel(g), el('b', {}, num(city[g])))));

  document.getElementById('category-bars').replaceChildren(...CATEGORIES.slice().reverse().filter((c) => cats[c.id]).map((c) => {
    const k = cats[c.id];
    return el('li', { 'data-category': c.id },
      el('div', { class: 'bar-label' }, el('span', { class: 'name' }, i18n.layerLabel(c.id)),
        el('span', { class: 'nums' }, el('span', { class: 'red-n', 'data-grade': 'red' }, num(k.red)), ` / ${num(k.total)}`)),
      stack(k, k.total));
  }));

  const counties = (overview.counties || []).slice()
    .sort((a, b) => GRADE_ORDER.reduce((d, g) => d || (b.counts[g] || 0) - (a.counts[g] || 0), 0) || a.code.localeCompare(b.code));
  const clist = document.getElementById('county-bars');
  // One line each: the colour, the name, the bar, red / total.
  clist.replaceChildren(...counties.map((c) => el('li', { 'data-county': c.code, class: 'row' },
    el('span', { class: 'swatch', style: { background: GRADE_COLOURS[c.grade] || GRADE_COLOURS.unassessed } }),
    el('span', { class: 'name' }, c.name || c.code),
    stack(c.counts, c.total),
    el('span', { class: 'nums' }, el('span', { class: 'red-n', 'data-grade': 'red' }, num(c.counts.red)), ` / ${num(c.total)}`))));
  fitList(clist, (n) => el('li', { class: 'more' }, fill('wall.more', { n })));

  const h = overview.hazards;
  document.getElementById('p-hazards').hidden = !h || !panelOn('hazards');
  if (h) {
    document.getElementById('hazard-figures').replaceChildren(
      figure('open', h.open, 'wall.hazards.open', h.open > 0 ? '' : 'good'),
      figure('overdue', h.overdue, 'wall.hazards.overdue', h.overdue > 0 ? 'alarm' : 'good'),
      figure('open_major', h.open_major, 'wall.hazards.major', h.open_major > 0 ? 'alarm' : ''),
      figure('closed_this_month', h.closed_this_month, 'wall.hazards.closed', 'good'));
  }
  renderResources();
  renderLayerTree();
}

function figure(key, value, label, cls) {
  return el('div', { class: `figure ${cls || ''}`, 'data-figure': key }, el('span', { class: 'v' }, num(value)), el('span', { class: 'k' }, t(label)));
}

function renderResources() {
  const r = overview && overview.resources;
  document.getElementById('p-resources').hidden = !r || !panelOn('resources');
  if (!r) return;
  const by = r.by_status || {};
  const other = Object.entries(by).filter(([k]) => !['available', 'dispatched', 'standby'].includes(k)).reduce((s, [, n]) => s + n, 0);
  document.getElementById('resource-figures').replaceChildren(
    figure('available', by.available, 'wall.resources.available', 'good'),
    figure('dispatched', by.dispatched, 'wall.resources.dispatched', by.dispatched > 0 ? 'alarm' : ''),
    figure('standby', by.standby, 'wall.resources.standby', ''),
    figure('out', other, 'wall.resources.out', ''));
  const bar = document.getElementById('resource-bar');
  const colours = { available: '#46d38a', dispatched: '#FF4FD8', standby: '#4FC3F7' };
  const parts = [['available', by.available || 0], ['dispatched', by.dispatched || 0], ['standby', by.standby || 0], ['out', other]];
  bar.replaceChildren(...parts.filter(([, n]) => n > 0).map(([k, n]) => el('i', { 'data-status': k, style: { flexGrow: String(n), background: colours[k] || '#607D8B' } })));
  const stale = [...positions.values()].filter((f) => f.properties.stale !== 'fresh').length;
  const note = document.getElementById('resource-note') || el('p', { id: 'resource-note', class: 'count' });
  note.textContent = fill('wall.resources.tracked', { n: positions.size, stale, min: Math.round(wallCfg.stale_after_s / 60) });
  document.getElementById('p-resources').append(note);
}

// ---------------------------------------------------------------- layer tree and legend

function treeCount(key) {
  if (!overview) return null;
  const c = overview.categories && overview.categories[key];
  if (c) return el('span', { class: 'n' }, el('b', {}, num(c.red)), ` / ${num(c.total)}`);
  if (key === 'hidden_hazards' && overview.hazards) return el('span', { class: 'n' }, num(overview.hazards.open));
  if (key === 'incidents') return el('span', { class: 'n' }, num(incidents.length));
  if (key === 'positions') return el('span', { class: 'n' }, num(positions.size));
  return null;
}

function renderLayerTree() {
  const list = document.getElementById('layer-list');
  const keys = Object.keys(vis).filter((k) => !overview || !CATEGORIES.some((c) => c.id === k) || (overview.categories && overview.categories[k]));
  list.replaceChildren(...keys.map((k) => {
    const box = el('input', { type: 'checkbox', 'data-layer': k, onchange: () => toggleLayer(k, box.checked) });
    box.checked = vis[k];
    const label = k === 'positions' ? t('wall.positions') : i18n.layerLabel(k);
    return el('li', {}, el('label', {}, box, label, treeCount(k)));
  }));
}

function toggleLayer(key, on) {
  vis[key] = on;
  const ids = key === 'positions' ? ['wall-positions', 'wall-trail'] : key === 'incidents' ? ['wall-incidents'] : SWITCH_LAYERS[key] || [];
  for (const id of ids) if (map && map.getLayer(id)) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
}

function renderLegend() {
  document.getElementById('legend-list').replaceChildren(...GRADE_ORDER.map((g) => el('li', { 'data-grade': g },
    el('span', { class: 'swatch', style: { background: GRADE_COLOURS[g] } }), i18n.gradeLabel(g))));
}

// ---------------------------------------------------------------- incidents

let incidentSeq = 0;

async function loadIncidents() {
  const my = ++incidentSeq;
  try {
    const r = await fetchJSON('api/v1/incidents');
    if (my !== incidentSeq) return;
    incidents = (r.incidents || []).filter((i) => i.status !== 'closed');
  } catch (err) {
    if (err.status !== 404 && err.status !== 403 && err.status !== 401) recordError(`incidents ${err.message}`);
    return;
  }
  setData('wall-incidents', { type: 'FeatureCollection', features: incidents.map((i) => ({
    type: 'Feature', id: i.id, geometry: { type: 'Point', coordinates: [i.lon, i.lat] }, properties: { id: i.id, level: i.level, title: i.title } })) });
  renderIncidents();
  renderLayerTree();
  if (mode && !incidents.some((i) => i.id === mode.id)) leaveIncident(); // closed
}

function countyName(code) {
  const c = overview && (overview.counties || []).find((x) => x.code === code);
  return c ? c.name : code || '—';
}

function renderIncidents() {
  const list = document.getElementById('incident-list');
  document.getElementById('incident-count').textContent = incidents.length ? `(${incidents.length})` : '';
  const order = { I: 0, II: 1, III: 2, IV: 3 };
  const sorted = incidents.slice().sort((a, b) => (order[a.level] - order[b.level]) || (new Date(b.reported_at) - new Date(a.reported_at)));
  if (sorted.length === 0) {
    list.replaceChildren(el('li', { class: 'empty' }, t('wall.incidents.none')));
    return;
  }
  list.replaceChildren(...sorted.map((i) => el('li', { 'data-incident': i.id },
    el('button', { type: 'button', class: mode && mode.id === i.id ? 'current' : '', onclick: () => follow(i.id) },
      el('span', { class: `level level-${i.level}` }, i.level),
      el('span', { class: 'title' }, i.title),
      el('span', { class: 'when' }, `${countyName(i.county_code)} · ${ago(i.reported_at)}`)))));
  fitList(list, (n) => el('li', { class: 'more' }, fill('wall.more', { n })));
}

// ---------------------------------------------------------------- incident mode

/** Follows incident id: zooms to it, rings, assigned resources and their routes, shelters near it. */
async function follow(id) {
  if (!map) return;
  const first = !mode || mode.id !== id;
  // The same incident again (a dispatch event): keep what is shown until the new answers come.
  const keep = first ? {} : { incident: mode.incident, around: mode.around, routes: mode.routes };
  mode = { id, ...keep, seq: ++followSeq };
  const my = mode.seq;
  let inc;
  try {
    inc = await fetchJSON(`api/v1/incidents/${encodeURIComponent(id)}`);
  } catch (err) {
    recordError(`incident ${id} ${err.message}`);
    if (mode && mode.seq === my) leaveIncident();
    return;
  }
  if (!mode || mode.seq !== my) return;
  mode.incident = inc;
  const head = document.getElementById('mode');
  head.textContent = `${t('wall.mode.incident')}：${inc.title}`;
  head.hidden = false;
  setData('wall-rings', { type: 'FeatureCollection', features: RING_RADII.map((r) => ({ type: 'Feature', properties: { r }, geometry: lineOf(circle(inc.lon, inc.lat, r)) })) });
  if (first) {
    const b = ringBox(inc, 5000);
    map.fitBounds(b, { padding: { top: 40 * SCALE, bottom: 40 * SCALE, left: 40 * SCALE, right: 440 * SCALE }, maxZoom: 15 });
  }
  renderIncidents();
  renderIncidentCard();
  const [around, routes] = await Promise.all([
    fetchJSON(`api/v1/around?lon=${inc.lon}&lat=${inc.lat}&radius=${RING_RADII.join(',')}`).catch((err) => { recordError(`around ${err.message}`); return null; }),
    routesOf(inc),
  ]);
  if (!mode || mode.seq !== my) return;
  mode.around = around;
  mode.routes = routes;
  setData('wall-routes', { type: 'FeatureCollection', features: routes.map((r) => r.feature) });
  renderIncidentCard();
}

const lineOf = (poly) => ({ type: 'LineString', coordinates: poly.coordinates[0] });

function ringBox(inc, metres) {
  const ring = circle(inc.lon, inc.lat, metres, 16).coordinates[0];
  const xs = ring.map((p) => p[0]);
  const ys = ring.map((p) => p[1]);
  return [[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]];
}

/** Where each active assignment's resource is, and its road route to the incident (a straight line when there is none). */
async function routesOf(inc) {
  const active = (inc.assignments || []).filter((a) => a.active);
  return Promise.all(active.map(async (a) => {
    let from = positions.get(a.resource_id);
    let at = from ? from.geometry.coordinates : null;
    if (!at) {
      try {
        const f = await fetchJSON(`ogc/collections/rescue_resources/items/${encodeURIComponent(a.resource_id)}`, { headers: { Accept: 'application/geo+json' } });
        at = f.geometry && f.geometry.coordinates;
      } catch { at = null; }
    }
    const out = { assignment: a, feature: null, seconds: a.eta_s };
    if (!at) return out;
    try {
      const r = await fetchJSON(`api/v1/route?from_lon=${at[0]}&from_lat=${at[1]}&to_lon=${inc.lon}&to_lat=${inc.lat}`, { headers: { Accept: 'application/geo+json' } });
      out.feature = { type: 'Feature', properties: { resource_id: a.resource_id, straight: false }, geometry: r.geometry };
      out.seconds = r.properties && r.properties.seconds;
    } catch {
      out.feature = { type: 'Feature', properties: { resource_id: a.resource_id, straight: true }, geometry: { type: 'LineString', coordinates: [at, [inc.lon, inc.lat]] } };
    }
    return out;
  }));
}

function renderIncidentCard() {
  const box = document.getElementById('incident-card');
  if (!mode || !mode.incident) { box.hidden = true; box.replaceChildren(); return; }
  const inc = mode.incident;
  const routes = mode.routes || [];
  const parts = [
    el('h3', {}, el('span', { class: `level level-${inc.level}` }, inc.level), ' ', inc.title),
    el('p', { class: 'meta' }, fill('wall.incident.reported', { county: countyName(inc.county_code), kind: kindLabel(inc.kind), ago: ago(inc.reported_at) })),
    el('h4', {}, t('wall.incident.assigned')),
  ];
  const active = (inc.assignments || []).filter((a) => a.active);
  if (active.length === 0) parts.push(el('p', { class: 'meta' }, t('wall.incident.noAssigned')));
  else {
    parts.push(el('ul', { id: 'incident-assigned' }, ...active.map((a) => {
      const r = routes.find((x) => x.assignment.resource_id === a.resource_id);
      const s = r && r.seconds != null ? r.seconds : a.eta_s;
      return el('li', { 'data-resource': a.resource_id }, a.resource_name || `#${a.resource_id}`,
        el('span', { class: 'r' }, s != null ? fill('wall.incident.eta', { min: Math.max(1, Math.round(s / 60)) }) : fill('wall.incident.km', { km: (a.straight_m / 1000).toFixed(1) })));
    })));
  }
  const around = mode.around;
  if (around) {
    const outer = around.rings && around.rings[around.rings.length - 1];
    const sh = (around.objects || []).filter((o) => o.category === 'shelters').sort((a, b) => a.distance_m - b.distance_m);
    const sum = outer && outer.shelters ? outer.shelters : { count: sh.length, capacity_persons: 0 };
    parts.push(el('h4', { id: 'incident-shelters-heading' }, sum.count > 0
      ? fill('wall.incident.shelters', { n: num(sum.count), cap: num(sum.capacity_persons) }) : t('wall.incident.noShelters')));
    parts.push(el('ul', { id: 'incident-shelters' }, ...sh.slice(0, 6).map((o) => el('li', { 'data-shelter': o.id }, o.name,
      el('span', { class: 'r' }, `${(o.distance_m / 1000).toFixed(1)} km · ${o.capacity_persons != null ? fill('wall.incident.capacity', { n: num(o.capacity_persons) }) : '—'}`)))));
  }
  parts.push(el('button', { type: 'button', class: 'head-button back', onclick: () => leaveIncident() }, t('wall.incident.back')));
  box.replaceChildren(...parts);
  box.hidden = false;
}

function leaveIncident() {
  mode = null;
  document.getElementById('mode').hidden = true;
  setData('wall-rings', EMPTY);
  setData('wall-routes', EMPTY);
  renderIncidentCard();
  renderIncidents();
  if (map) cityView();
}

// ---------------------------------------------------------------- positions

let positionsTimer = 0;

function staleness(recordedAt) {
  const age = (Date.now() - new Date(recordedAt).getTime()) / 1000;
  if (age <= wallCfg.stale_after_s) return 'fresh';
  return age <= 6 * wallCfg.stale_after_s ? 'stale' : 'old';
}

/** Redraws the positions, at most every 250 ms (a fleet reports in bursts). */
function drawPositions() {
  if (positionsTimer) return;
  positionsTimer = setTimeout(() => {
    positionsTimer = 0;
    for (const f of positions.values()) f.properties.stale = staleness(f.properties.recorded_at);
    setData('wall-positions', { type: 'FeatureCollection', features: [...positions.values()] });
  }, 250);
}

async function loadPositions() {
  try {
    const fc = await fetchJSON('api/v1/positions?hours=24', { headers: { Accept: 'application/geo+json' } });
    positions.clear();
    for (const f of fc.features || []) positions.set(Number(f.id ?? f.properties.resource_id), f);
  } catch (err) {
    if (err.status !== 404 && err.status !== 403 && err.status !== 401) recordError(`positions ${err.message}`);
    return;
  }
  drawPositions();
  renderResources();
}

function onPosition(p) {
  const id = Number(p.resource_id);
  const old = positions.get(id);
  const f = {
    type: 'Feature', id,
    geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
    properties: { ...(old ? old.properties : { resource_id: id, name: '' }), recorded_at: p.recorded_at, status: p.status || (old && old.properties.status) || '' },
  };
  positions.set(id, f);
  drawPositions();
  if (trail && trail.id === id && trail.feature) {
    // The last hour: the new fix on, those older than an hour off.
    const g = trail.feature.geometry;
    const coords = !g ? [] : g.type === 'Point' ? [g.coordinates] : g.coordinates;
    const times = (trail.feature.properties.times = trail.feature.properties.times || []);
    coords.push([p.lon, p.lat]);
    times.push(p.recorded_at);
    const hourAgo = Date.now() - 3600e3;
    while (coords.length > 1 && (times.length > 5000 || new Date(times[0]).getTime() < hourAgo)) { coords.shift(); times.shift(); }
    trail.feature.geometry = coords.length > 1 ? { type: 'LineString', coordinates: coords } : { type: 'Point', coordinates: coords[0] };
    setData('wall-trail', trail.feature);
  }
  if (!old) renderResources();
}

async function toggleTrail(id) {
  const note = document.getElementById('trail-note');
  if (trail && trail.id === id) {
    trail = null;
    setData('wall-trail', EMPTY);
    note.hidden = true;
    return;
  }
  trail = { id };
  try {
    const f = await fetchJSON(`api/v1/resources/${encodeURIComponent(id)}/track?minutes=60`, { headers: { Accept: 'application/geo+json' } });
    if (!trail || trail.id !== id) return;
    trail.feature = f;
    trail.name = f.properties && f.properties.name;
    setData('wall-trail', f.geometry ? f : EMPTY);
    const n = f.properties ? f.properties.fixes : 0;
    note.textContent = fill(n > 0 ? 'wall.trail' : 'wall.trail.none', { name: trail.name || `#${id}`, n });
    note.hidden = false;
  } catch (err) {
    recordError(`track ${id} ${err.message}`);
    if (trail && trail.id === id) trail = null;
  }
}

// ---------------------------------------------------------------- alerts

/**
 * Raises an alert: loud ones pulse on the map and wait for 确认; quiet
 * ones (downgrades) leave by themselves. The same key again replaces the
 * earlier alert (its text), loud if either was.
 */
function raise({ key, kind, text, colour, lon, lat, loud }) {
  const old = alerts.find((a) => a.key === key);
  // An alarm not yet acknowledged stays one, whatever came after (a red graded down again at once).
  if (old && old.loud) loud = true;
  if (old) dismiss(old, false);
  const a = { key, kind, text, colour, lon, lat, loud, at: Date.now(), marker: null, timer: 0 };
  if (loud && Number.isFinite(lon) && Number.isFinite(lat) && map && document.querySelectorAll('.pulse').length < MAX_PULSES) {
    const dot = el('div', { class: 'pulse' });
    dot.style.setProperty('--c', colour); // a custom property: el's style would drop it
    a.marker = new maplibregl.Marker({ element: dot }).setLngLat([lon, lat]).addTo(map);
  }
  if (!loud) a.timer = setTimeout(() => dismiss(a), QUIET_MS);
  alerts.unshift(a);
  while (alerts.length > MAX_ALERTS) {
    const i = alerts.map((x) => !x.loud).lastIndexOf(true);
    const out = alerts[i >= 0 ? i : alerts.length - 1];
    if (out.loud) dropped += 1; // still to be acknowledged: counted
    dismiss(out, false);
  }
  keepAlerts();
  renderAlerts();
}

function dismiss(a, render = true) {
  if (a.marker) a.marker.remove();
  clearTimeout(a.timer);
  alerts = alerts.filter((x) => x !== a);
  keepAlerts();
  if (render) renderAlerts();
}

// The alarms not yet acknowledged outlive a reload of this wall's page
// (kept in its browser, newest first, whenever the alerts change; quiet
// ones leave by themselves anyway). Not yet shared: another wall
// acknowledges its own. No alert is raised before they are restored (the
// event stream opens after), so nothing overwrites them unread.
const KEPT_ALERTS = 'riskmap:wall:alerts';

function keepAlerts() {
  const loud = alerts.filter((a) => a.loud).map(({ key, kind, text, colour, lon, lat, at }) => ({ key, kind, text, colour, lon, lat, at }));
  try { localStorage.setItem(KEPT_ALERTS, JSON.stringify({ alerts: loud, dropped })); } catch { /* private mode: kept for this page only */ }
}

/** Raises again the alarms this wall had not acknowledged before a reload. */
function restoreAlerts() {
  let kept = null;
  try { kept = JSON.parse(localStorage.getItem(KEPT_ALERTS) || 'null'); } catch { kept = null; }
  if (!kept || !Array.isArray(kept.alerts)) return;
  for (const a of kept.alerts.slice().reverse()) {
    if (typeof a.key !== 'string' || typeof a.text !== 'string') continue;
    raise({ ...a, loud: true });
    alerts[0].at = Number(a.at) || Date.now();
  }
  dropped = Number(kept.dropped) || 0;
  keepAlerts();
  renderAlerts();
}

function ackAll() {
  for (const a of alerts.slice()) dismiss(a, false);
  dropped = 0;
  keepAlerts();
  renderAlerts();
}

/** Sets node's --c (its alert colour), which el's style cannot. */
function withColour(node, colour) {
  node.style.setProperty('--c', colour);
  return node;
}

function renderAlerts() {
  const loud = alerts.filter((a) => a.loud).length;
  const count = document.getElementById('alert-count');
  count.textContent = loud > 0 ? fill('wall.alerts', { n: loud + dropped }) : t('wall.alerts.none');
  count.dataset.count = String(loud);
  count.classList.toggle('hot', loud > 0);
  document.getElementById('ack-all').hidden = alerts.length === 0;
  const list = document.getElementById('alert-list');
  list.replaceChildren(...alerts.slice(0, 40).map((a) => withColour(el('li', { class: a.loud ? 'loud' : 'quiet', 'data-kind': a.kind },
    el('span', { class: 'text', title: a.text, onclick: () => { if (Number.isFinite(a.lon)) map.flyTo({ center: [a.lon, a.lat], zoom: Math.max(map.getZoom(), 13) }); } }, a.text),
    el('button', { type: 'button', class: 'ack', onclick: () => dismiss(a) }, t('wall.ack'))), a.colour)));
  // Fit the row: the oldest shown leave first.
  let hidden = Math.max(0, alerts.length - 40);
  while (list.children.length > 1 && list.scrollWidth > list.clientWidth + 1) { list.lastElementChild.remove(); hidden += 1; }
  if (hidden > 0) {
    if (list.children.length > 1) { list.lastElementChild.remove(); hidden += 1; }
    list.append(el('li', { class: 'more' }, fill('wall.more', { n: hidden })));
  }
}

function objectName(o) { return o.name || `${i18n.layerLabel(o.category)} ${o.id}`; }

function onGrades(msg) {
  for (const o of (msg.objects || []).slice().reverse()) {
    const up = (RANK[o.to] ?? 0) > (RANK[o.from] ?? 0) && o.to !== 'unassessed';
    // Loud: newly red, or up into orange; from not assessed to blue or yellow is news, not alarm.
    const loud = up && (o.to === 'red' || RANK[o.from] > 0 || o.to === 'orange');
    const key = o.to === 'red' ? 'wall.alert.red' : up ? 'wall.alert.up' : 'wall.alert.down';
    raise({ key: `grade:${o.id}`, kind: up ? 'upgrade' : 'downgrade', loud, colour: GRADE_COLOURS[o.to] || GRADE_COLOURS.unassessed, lon: o.lon, lat: o.lat,
      text: fill(key, { name: objectName(o), from: i18n.gradeLabel(o.from), to: i18n.gradeLabel(o.to) }) });
  }
  if (msg.more > 0) raise({ key: `more:${Date.now()}`, kind: 'more', loud: false, colour: GRADE_COLOURS.unassessed, text: fill('wall.alert.more', { n: msg.more }) });
}

function onOverdue(msg) {
  for (const h of (msg.hazards || []).slice().reverse()) {
    raise({ key: `overdue:${h.id}`, kind: 'overdue', loud: true, colour: h.level === 'major' ? GRADE_COLOURS.red : GRADE_COLOURS.orange, lon: h.lon, lat: h.lat,
      text: fill('wall.alert.overdue', { title: h.title || h.code }) });
  }
  if (msg.more > 0) raise({ key: `more:${Date.now()}`, kind: 'more', loud: true, colour: GRADE_COLOURS.orange, text: fill('wall.alert.more', { n: msg.more }) });
}

async function onDispatch(msg) {
  // (The incidents list and the counts are read again on the layers
  // event that follows: a dispatch always moves the incidents layer.)
  if (msg.action === 'reported') {
    let inc = null;
    try {
      inc = await fetchJSON(`api/v1/incidents/${encodeURIComponent(msg.incident_id)}`);
    } catch (err) {
      recordError(`incident ${msg.incident_id} ${err.message}`);
    }
    if (inc) {
      raise({ key: `incident:${inc.id}`, kind: 'incident', loud: true, colour: LEVEL_COLOURS[inc.level] || GRADE_COLOURS.red, lon: inc.lon, lat: inc.lat,
        text: fill('wall.alert.incident', { title: inc.title, level: levelLabel(inc.level) }) });
      if (wallCfg.follow_incidents) follow(inc.id);
    }
  } else if (mode && mode.id === msg.incident_id) follow(mode.id);
}

// ---------------------------------------------------------------- panels and language

function panelOn(p) { return wallCfg.panels.includes(p); }

function applyPanels() {
  for (const node of document.querySelectorAll('[data-panel]')) node.hidden = !panelOn(node.dataset.panel);
  const wall = document.getElementById('wall');
  const shown = (id) => [...document.getElementById(id).querySelectorAll('[data-panel]')].some((n) => !n.hidden);
  wall.classList.toggle('no-left', !shown('wall-left'));
  wall.classList.toggle('no-right', !shown('wall-right'));
  wall.classList.toggle('no-foot', !panelOn('alerts'));
  if (map) map.resize();
}

function renderTitle() {
  const title = (i18n.lang() === 'en' ? config.title_en || config.title : config.title) || t('app.title');
  document.getElementById('title').textContent = title;
  document.title = `${title} · ${t('wall.title')}`;
  const b = document.getElementById('lang-toggle');
  b.textContent = t('lang.toggle');
  b.title = t('lang.toggle.title');
}

function renderLink(s) {
  const l = document.getElementById('link');
  l.dataset.state = s;
  l.textContent = t(`wall.link.${s}`);
}

function renderAll() {
  i18n.applyToDocument();
  document.documentElement.lang = i18n.htmlLang();
  renderTitle();
  renderClock();
  renderLegend();
  renderOverview();
  renderLayerTree();
  renderIncidents();
  renderIncidentCard();
  renderAlerts();
  renderLink(stream ? stream.status() : 'connecting');
}

// ---------------------------------------------------------------- start

async function main() {
  try {
    const cfg = await fetchJSON('config.json');
    config = { ...config, ...cfg };
    if (cfg.wall) wallCfg = { ...wallCfg, ...cfg.wall };
    if (!Array.isArray(wallCfg.panels)) wallCfg.panels = PANELS;
    i18n.useDefault(cfg.lang);
  } catch (err) {
    recordError(`config ${err.message}`);
    if (err.status === 401) { window.location.href = `./?next=wall`; return; }
  }
  applyPanels();
  renderAll();
  setInterval(renderClock, 1000);
  // Ages ("3 分钟前") and staleness move with the clock.
  setInterval(() => { renderIncidents(); drawPositions(); renderResources(); }, 30000);
  // Overdue deadlines pass with the date, not with a write: read the counts once a minute besides.
  setInterval(loadOverview, 60000);
  document.getElementById('lang-toggle').addEventListener('click', () => i18n.setLang(i18n.otherLang()));
  document.getElementById('ack-all').addEventListener('click', ackAll);
  i18n.onLangChange(renderAll);
  window.addEventListener('resize', () => { renderOverview(); renderIncidents(); renderAlerts(); });
  document.addEventListener('keydown', (e) => {
    if ((e.key === 'Escape' || e.key === 'Home') && map) {
      if (mode) leaveIncident(); else cityView();
    }
  });

  try {
    map = createMap();
  } catch (err) {
    recordError(`map: ${err && err.message ? err.message : err}`);
    const box = document.getElementById('map-error');
    box.textContent = `${t('error.webgl.title')}: ${err && err.message ? err.message : err}`;
    box.hidden = false;
  }
  window.__map = map;
  const onLayers = map ? followTiles(map) : Object.assign(() => {}, { refresh() {} });
  const ready = map ? new Promise((res) => map.once('load', res)) : Promise.resolve();
  loadOverview();
  await ready;
  if (map) addOverlays();
  restoreAlerts();
  await Promise.all([loadIncidents(), loadPositions()]);
  // A change's object events come before its layers event. A change that
  // only moved resources (position events and nothing else) leaves the
  // counts as they were: a fleet reporting would otherwise have every
  // wall read them several times a second.
  let moved = false;
  let other = false;
  stream = openStream({
    layers: (msg) => {
      state.events += 1;
      onLayers(msg);
      if (!moved || other) scheduleOverview();
      moved = false;
      other = false;
      if (msg.layers && 'incidents' in msg.layers) loadIncidents();
    },
    // A new stream starts after what was missed (the first one too: it
    // opens after the first reads): read everything again.
    resync: () => { onLayers.refresh(); loadOverview(); loadIncidents(); loadPositions(); },
    grade_changed: (msg) => { state.events += 1; other = true; onGrades(msg); },
    hazard_overdue: (msg) => { state.events += 1; other = true; onOverdue(msg); },
    dispatch: (msg) => { state.events += 1; other = true; loadPositions(); onDispatch(msg); },
    position: (msg) => { state.events += 1; moved = true; onPosition(msg); },
  }, { onStatus: renderLink, resyncFirst: true });
  renderLink(stream.status());
}

main().catch((err) => recordError(`startup: ${err && err.stack ? err.stack : err}`));
