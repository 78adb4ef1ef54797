// riskmap web front end: map, layer switcher, legend, details card, language.
//
// Test hooks (used by the Go headless-Chromium test; keep the names):
//   window.__map       the maplibregl.Map
//   window.__mapIdle   true after the first `idle` with every source loaded
//   window.__mapErrors strings from map `error` events and failed fetches

import * as maplibregl from 'maplibre-gl';
import * as i18n from './i18n.js';
import { t } from './i18n.js';
import {
  buildStyle, CATEGORIES, CJK_FONTS, GRADE_COLOURS, POINT_LAYER_IDS, SWITCH_LAYERS, OFF_BY_DEFAULT, REGION_LAYER_IDS,
  HAZARD_COLOURS, SOURCE_ID, attributionText, gradeColourExpr,
} from './style.js';
import * as card from './card.js';
import { fetchJSON, inView, logout, session as fetchSession, SESSION_EXPIRED, setCSRF, viewDivision, watchSession } from './api.js';
import { el } from './dom.js';
import * as dispatch from './dispatch.js';
import * as report from './report.js';
import * as zones from './zones.js';
import * as search from './search.js';
import * as filters from './filters.js';
import { followTiles, openStream } from './live.js';

window.__mapIdle = false;
window.__mapErrors = [];

/** Records an error for the test hook and the console. */
function recordError(msg) {
  const s = String(msg);
  window.__mapErrors.push(s);
  console.error('[riskmap]', s);
}

const DEFAULT_CONFIG = {
  title: '',
  title_en: '',
  center: [119.9, 28.2],
  zoom: 8,
  bounds: null,
  basemap: null,
};

const VIS_KEY = 'riskmap.layers';
/** Switcher entries: the five categories (top of the map first) and the counties. */
const SWITCH_KEYS = ['incidents', 'hidden_hazards', ...CATEGORIES.map((c) => c.id).reverse(), 'zones', 'counties', 'regions_county', 'regions_grid'];

let config = { ...DEFAULT_CONFIG };

// ---------------------------------------------------------------- helpers

function loadVisibility() {
  const vis = Object.fromEntries(SWITCH_KEYS.map((k) => [k, !OFF_BY_DEFAULT.includes(k)]));
  try {
    const saved = JSON.parse(localStorage.getItem(VIS_KEY) || '{}');
    for (const k of SWITCH_KEYS) if (typeof saved[k] === 'boolean') vis[k] = saved[k];
  } catch { /* ignore */ }
  return vis;
}

function saveVisibility(vis) {
  try { localStorage.setItem(VIS_KEY, JSON.stringify(vis)); } catch { /* ignore */ }
}

function validBounds(b) {
  return Array.isArray(b) && b.length === 4 && b.every((x) => typeof x === 'number' && Number.isFinite(x)) &&
    b[0] < b[2] && b[1] < b[3];
}

// ---------------------------------------------------------------- static UI

function appTitle() {
  if (i18n.lang() === 'en') return config.title_en || config.title || t('app.title');
  return config.title || t('app.title');
}

function renderTitle() {
  const title = appTitle();
  document.getElementById('title').textContent = title;
  document.title = title;
}

function renderLangToggle() {
  const b = document.getElementById('lang-toggle');
  b.textContent = t('lang.toggle');
  b.title = t('lang.toggle.title');
  b.lang = i18n.otherLang() === 'zh' ? 'zh-CN' : 'en';
}

/** The layer switcher (#layers): a checkbox per category plus counties. */
function renderLayers(vis, onToggle) {
  const list = document.getElementById('layer-list');
  list.replaceChildren();
  for (const key of SWITCH_KEYS) {
    const li = document.createElement('li');
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = vis[key] !== false;
    box.dataset.layer = key;
    box.addEventListener('change', () => onToggle(key, box.checked));

    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.setAttribute('aria-hidden', 'true');
    const cat = CATEGORIES.find((c) => c.id === key);
    if (cat) {
      sw.classList.add('swatch-point');
      sw.style.borderColor = cat.stroke;
      sw.style.borderWidth = `${Math.max(2, Math.round(cat.strokeWidth))}px`;
      const d = Math.round(cat.radius * 2 + 2);
      sw.style.width = `${d}px`;
      sw.style.height = `${d}px`;
    } else if (key === 'incidents') {
      sw.classList.add('swatch-incident');
    } else if (key === 'hidden_hazards') {
      sw.classList.add('swatch-point');
      sw.style.background = HAZARD_COLOURS.major;
      sw.style.borderColor = '#FFFFFF';
      sw.style.borderWidth = '2px';
      sw.style.width = '12px';
      sw.style.height = '12px';
    } else {
      sw.classList.add('swatch-area');
    }

    const name = document.createElement('span');
    name.className = 'layer-name';
    name.textContent = i18n.layerLabel(key);
    const alt = document.createElement('span');
    alt.className = 'alt-lang';
    alt.lang = i18n.otherLang() === 'zh' ? 'zh-CN' : 'en';
    alt.textContent = i18n.layerLabel(key, i18n.otherLang());

    const names = document.createElement('span');
    names.className = 'layer-names';
    names.append(name, alt);
    label.append(box, sw, names);
    li.append(label);
    if (key === 'regions_county') li.append(countyRuleSwitch());
    list.append(li);
  }
}

// ---------------------------------------------------------------- the county map's rule

/**
 * How the county four-colour map colours a county: 'max' (就高, the
 * highest grade inside, as the tiles carry it) or 'index' (the weighted
 * index of GET /api/v1/stats/regions?rule=index, set on the counties as
 * feature state). In a city where every county holds a red site, 就高
 * paints them all red; the index tells them apart.
 */
let countyMap = null;
let countyRule = localStorage.getItem('riskmap.countyRule') === 'index' ? 'index' : 'max';

function countyRuleSwitch() {
  const box = el('div', { class: 'rule-switch', id: 'county-rule', role: 'radiogroup', 'aria-label': t('rule.label') },
    ...['max', 'index'].map((r) => el('label', {},
      el('input', { type: 'radio', name: 'county-rule', value: r, checked: countyRule === r, onchange: () => setCountyRule(r) }),
      t(`rule.${r}`))));
  return box;
}

function setCountyRule(rule) {
  countyRule = rule;
  localStorage.setItem('riskmap.countyRule', rule);
  applyCountyRule();
  renderLegendHint();
}

/** Colours the county map by the chosen rule (the index read again each time). */
async function applyCountyRule() {
  const map = countyMap;
  if (!map || !map.getLayer('region-county-fill')) return;
  if (countyRule === 'max') {
    map.setPaintProperty('region-county-fill', 'fill-color', gradeColourExpr());
    return;
  }
  try {
    const r = await fetchJSON('api/v1/stats/regions?level=county&rule=index');
    if (countyRule !== 'index') return;
    for (const g of r.regions || []) {
      map.setFeatureState({ source: SOURCE_ID, sourceLayer: 'counties', id: Number(g.code) }, { index_grade: g.grade });
    }
    map.setPaintProperty('region-county-fill', 'fill-color', gradeColourExpr(['coalesce', ['feature-state', 'index_grade'], ['get', 'grade']]));
    window.__countyIndex = r.regions;
  } catch (err) {
    recordError(`county index ${err.message}`);
  }
}

/** The legend's note says how the county map is coloured. */
function renderLegendHint() {
  const hint = document.getElementById('legend-hint');
  if (hint) hint.textContent = t(`legend.hint.${countyRule}`);
}

/** The legend (#legend): each grade colour with its Chinese and English name. */
function renderLegend() {
  const list = document.getElementById('legend-list');
  list.replaceChildren();
  for (const g of i18n.GRADES) {
    const li = document.createElement('li');
    li.dataset.grade = g;
    const sw = document.createElement('span');
    sw.className = 'swatch swatch-grade';
    sw.style.background = GRADE_COLOURS[g];
    sw.setAttribute('aria-hidden', 'true');
    const name = document.createElement('span');
    name.className = 'grade-name';
    name.textContent = i18n.gradeLabel(g);
    const alt = document.createElement('span');
    alt.className = 'alt-lang';
    alt.lang = i18n.otherLang() === 'zh' ? 'zh-CN' : 'en';
    alt.textContent = i18n.gradeLabel(g, i18n.otherLang());
    li.append(sw, name, alt);
    list.append(li);
  }
}

function showFatal(err) {
  const box = document.getElementById('map-error');
  box.replaceChildren();
  // Both languages, first the chosen one: the user may not have found the toggle.
  const first = i18n.lang();
  const second = i18n.otherLang();
  const h = document.createElement('h2');
  h.textContent = `${i18n.tIn(first, 'error.webgl.title')} / ${i18n.tIn(second, 'error.webgl.title')}`;
  const p = document.createElement('p');
  p.textContent = i18n.tIn(first, 'error.webgl.body');
  const p2 = document.createElement('p');
  p2.lang = second === 'zh' ? 'zh-CN' : 'en';
  p2.className = 'alt-lang-block';
  p2.textContent = i18n.tIn(second, 'error.webgl.body');
  const det = document.createElement('details');
  const sum = document.createElement('summary');
  sum.textContent = t('error.webgl.detail');
  const pre = document.createElement('pre');
  pre.textContent = String(err && err.message ? err.message : err);
  det.append(sum, pre);
  box.append(h, p, p2, det);
  box.hidden = false;
  document.getElementById('panel').hidden = true;
}

// ---------------------------------------------------------------- map

/** A small control with one button that fits the configured city bounds. */
/**
 * The map's attribution in the page's language (MapLibre's own control
 * shows the sources' text, which does not follow a language switch).
 */
class AttributionText {
  onAdd() {
    this.container = document.createElement('div');
    this.container.className = 'maplibregl-ctrl maplibregl-ctrl-attrib';
    this.container.id = 'attribution';
    this.render();
    return this.container;
  }
  render() {
    if (!this.container) return;
    const bm = config && config.basemap && config.basemap.attribution;
    this.container.textContent = [bm, attributionText(i18n.lang())].filter(Boolean).join(' · ');
  }
  onRemove() { this.container.remove(); }
}
const attribution = new AttributionText();

class HomeControl {
  constructor(getBounds) { this.getBounds = getBounds; }
  onAdd(map) {
    this.map = map;
    const div = document.createElement('div');
    div.className = 'maplibregl-ctrl maplibregl-ctrl-group';
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'riskmap-home';
    b.dataset.i18nTitle = 'home.title';
    b.dataset.i18nAriaLabel = 'home.title';
    b.title = t('home.title');
    b.setAttribute('aria-label', t('home.title'));
    b.textContent = '⌂';
    b.addEventListener('click', () => {
      const bb = this.getBounds();
      if (bb) map.fitBounds(bb, { padding: 40 });
      else map.easeTo({ center: config.center, zoom: config.zoom });
    });
    div.append(b);
    this.container = div;
    return div;
  }
  onRemove() { this.container.remove(); this.map = undefined; }
}

/** Re-labels the built-in control buttons after a language switch. */
function relabelControls() {
  const set = (sel, key) => {
    for (const b of document.querySelectorAll(sel)) {
      b.title = t(key);
      b.setAttribute('aria-label', t(key));
    }
  };
  set('.maplibregl-ctrl-zoom-in', 'nav.zoomIn');
  set('.maplibregl-ctrl-zoom-out', 'nav.zoomOut');
  set('.maplibregl-ctrl-compass', 'nav.resetBearing');
  set('.maplibregl-ctrl-attrib-button', 'attribution.toggle');
}

function createMap(vis) {
  const opts = {
    container: 'map',
    style: buildStyle(config, vis),
    center: config.center,
    zoom: config.zoom,
    localIdeographFontFamily: CJK_FONTS,
    canvasContextAttributes: { preserveDrawingBuffer: true, antialias: true },
    attributionControl: false,
    locale: i18n.maplibreLocale(),
    hash: true,
    maxZoom: 18,
    dragRotate: false,
    pitchWithRotate: false,
  };
  if (validBounds(config.bounds)) {
    const [w, s, e, n] = config.bounds;
    // Fit the city to the window; the configured center/zoom is the fallback.
    opts.bounds = [[w, s], [e, n]];
    opts.fitBoundsOptions = { padding: 24 };
    // Keep the view near the city, with generous slack around it.
    const dx = (e - w) * 1.5;
    const dy = (n - s) * 1.5;
    opts.maxBounds = [[w - dx, s - dy], [e + dx, n + dy]];
  }
  return new maplibregl.Map(opts);
}

function cityBounds() {
  if (!validBounds(config.bounds)) return null;
  const [w, s, e, n] = config.bounds;
  return [[w, s], [e, n]];
}

function wireMap(map, vis) {
  map.touchZoomRotate.disableRotation(); // north stays up (no compass shown)
  map.keyboard.disableRotation();

  // Bottom corners stack upwards in the order added: attribution, zoom buttons, home.
  map.addControl(attribution, 'bottom-right');
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'bottom-right');
  map.addControl(new HomeControl(cityBounds), 'bottom-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric', maxWidth: 120 }), 'bottom-left');

  map.on('error', (e) => {
    const err = e && e.error;
    let msg = err && err.message ? err.message : String(err || 'map error');
    if (err && err.status) msg = `HTTP ${err.status}: ${msg}`;
    if (err && err.url && !msg.includes(err.url)) msg += ` (${err.url})`;
    if (e && e.sourceId) msg = `[${e.sourceId}] ${msg}`;
    recordError(msg);
  });
  map.on('webglcontextlost', () => recordError('WebGL context lost'));

  const onIdle = () => {
    if (window.__mapIdle) return;
    if (map.isStyleLoaded() && map.areTilesLoaded()) {
      window.__mapIdle = true;
      map.off('idle', onIdle);
    }
  };
  map.on('idle', onIdle);

  // ----- selection and card
  let selected = null; // {sourceLayer, id}
  let seq = 0;
  let inflight = null;

  const clearSelection = () => {
    if (selected) {
      try { map.setFeatureState({ source: SOURCE_ID, sourceLayer: selected.sourceLayer, id: selected.id }, { selected: false }); } catch { /* source gone */ }
    }
    selected = null;
  };
  card.setOnClose(() => {
    clearSelection();
    if (inflight) { inflight.abort(); inflight = null; }
  });

  const visibleOf = (ids) => ids.filter((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none');
  const visiblePointLayers = () => visibleOf(['hazards', ...POINT_LAYER_IDS]);

  /** Point features under the pointer, top-most first; with a few pixels' slack when none is exactly under it. */
  const hitTest = (point) => {
    const layers = visiblePointLayers();
    if (layers.length === 0) return [];
    const exact = map.queryRenderedFeatures(point, { layers });
    if (exact.length > 0) return exact;
    const r = 6;
    const near = map.queryRenderedFeatures([[point.x - r, point.y - r], [point.x + r, point.y + r]], { layers });
    const dist = (f) => {
      if (f.geometry.type !== 'Point') return Infinity;
      const p = map.project(f.geometry.coordinates);
      return (p.x - point.x) ** 2 + (p.y - point.y) ** 2;
    };
    return near.map((f) => [dist(f), f]).sort((a, b) => a[0] - b[0]).map((x) => x[1]);
  };

  map.on('click', (e) => {
    // The dispatcher's panel first: placing an incident, or an incident's symbol.
    if (zones.consumeClick(e)) return;
    if (dispatch.consumeClick(e)) return;
    const hits = hitTest(e.point);
    if (hits.length === 0) {
      // A regional map's area under the pointer: its counts.
      const regions = visibleOf(REGION_LAYER_IDS);
      const area = regions.length > 0 ? map.queryRenderedFeatures(e.point, { layers: regions })[0] : null;
      clearSelection();
      if (area) {
        const p = area.properties;
        const name = p.name || (p.cell_m ? `${t('region.cell').replace('{km}', p.cell_m / 1000)} ${p.code}` : p.code);
        card.showRegion(area.id, { ...p, name });
      }
      else card.closeCard();
      return;
    }
    const f = hits[0];
    const category = f.sourceLayer;
    const id = f.id;
    if (f.properties.cluster) {
      // A cell of the low zooms: its counts per grade, and a closer look.
      clearSelection();
      const p = f.properties;
      card.showRegion(id, { ...p, name: `${i18n.layerLabel(category)} × ${p.count}` });
      map.easeTo({ center: f.geometry.coordinates, zoom: Math.min(map.getZoom() + 2, 12) });
      return;
    }
    if (id === undefined || id === null) {
      recordError(`feature in ${category} has no id`);
      return;
    }
    openObject(category, id, f.properties);
  });

  // openObject selects an object and opens its card (a click on the map,
  // a search result).
  function openObject(category, id, preview) {
    clearSelection();
    selected = { sourceLayer: category, id };
    map.setFeatureState({ source: SOURCE_ID, sourceLayer: category, id }, { selected: true });

    card.showLoading(category, id, preview);
    if (inflight) inflight.abort();
    const ctl = new AbortController();
    inflight = ctl;
    const my = ++seq;
    const hazard = category === 'hidden_hazards';
    const url = hazard ? `api/v1/hidden-hazards/${encodeURIComponent(id)}`
      : `ogc/collections/${encodeURIComponent(category)}/items/${encodeURIComponent(id)}`;
    fetchJSON(url, { signal: ctl.signal, headers: { Accept: 'application/geo+json, application/json' } })
      .then((feature) => {
        if (my !== seq) return;
        card.showFeature(category, id, feature);
        if (hazard) return;
        // The history is extra: its failure must not hide the card.
        return fetchJSON(`api/v1/objects/${encodeURIComponent(id)}/history?limit=8`, { signal: ctl.signal })
          .then((h) => { if (my === seq) card.showHistory(category, id, h.assessments); })
          .catch((err) => { if (err.name !== 'AbortError') recordError(`history ${err.message}`); });
      })
      .catch((err) => {
        if (err.name === 'AbortError') return;
        recordError(`fetch ${err.message}`);
        if (my !== seq) return;
        if (err.status === 404) card.showError(category, id, 'notfound', err.message);
        else card.showError(category, id, 'error', err.message);
      })
      .finally(() => { if (inflight === ctl) inflight = null; });
  }

  card.setReload((category, id, preview) => openObject(category, id, preview));

  // A search result: fly there, its layer shown, and open its card.
  search.enable(document.getElementById('search'), (hit) => {
    if (vis[hit.category] === false) {
      onToggle(hit.category, true);
      const box = document.querySelector(`#layer-list input[data-layer="${hit.category}"]`);
      if (box) box.checked = true;
    }
    map.flyTo({ center: [hit.lon, hit.lat], zoom: Math.max(map.getZoom(), 14) });
    openObject(hit.category, hit.id, { name: hit.name, grade: hit.grade });
  });

  // Pointer cursor over points (once per animation frame).
  let pending = null;
  let raf = 0;
  map.on('mousemove', (e) => {
    pending = e.point;
    if (!raf) {
      raf = requestAnimationFrame(() => {
        raf = 0;
        if (!pending) return;
        map.getCanvas().style.cursor = hitTest(pending).length > 0 ? 'pointer' : '';
      });
    }
  });
  map.getCanvasContainer().addEventListener('mouseleave', () => { pending = null; map.getCanvas().style.cursor = ''; });

  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') card.closeCard(); });

  // ----- layer switcher
  const onToggle = (key, on) => {
    vis[key] = on;
    saveVisibility(vis);
    const ids = SWITCH_LAYERS[key] ?? [];
    for (const id of ids) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
    if (!on && selected && selected.sourceLayer === key) card.closeCard();
  };
  return onToggle;
}

// ---------------------------------------------------------------- live

// listenForChanges follows the server's event stream (live.js): tiles
// are fetched again where their data changed (followTiles). Grades that
// changed and hazards that became overdue are listed under 最新变化,
// newest first; a click flies there.
function listenForChanges(map) {
  const onLayers = followTiles(map);
  const box = document.getElementById('changes');
  const list = document.getElementById('change-list');
  const add = (text, grade, lon, lat) => {
    const item = document.createElement('li');
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'change';
    if (grade) btn.style.borderLeftColor = GRADE_COLOURS[grade] || GRADE_COLOURS.unassessed;
    btn.textContent = text;
    btn.addEventListener('click', () => map.flyTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), 14) }));
    item.append(btn);
    list.prepend(item);
    while (list.children.length > 8) list.lastChild.remove();
    box.hidden = false;
  };
  const fill = (key, vars) => Object.entries(vars).reduce((s, [k, v]) => s.replace(`{${k}}`, v), t(key));
  const more = (n) => { if (n > 0) add(fill('changes.more', { n }), null, map.getCenter().lng, map.getCenter().lat); };
  openStream({
    layers: (msg) => {
      if (msg && msg.layers && 'incidents' in msg.layers) dispatch.incidentsChanged();
      // A zone's analysis counts zones and objects: either changing redraws it.
      if (msg && msg.layers && Object.keys(msg.layers).some((l) => l !== 'incidents' && l !== 'context')) zones.zonesChanged();
      onLayers(msg);
    },
    // A new stream starts after what was missed: read everything again.
    resync: () => { onLayers.refresh(); dispatch.incidentsChanged(); zones.zonesChanged(); },
    dispatch: (msg) => dispatch.incidentsChanged(msg),
    grade_changed: (msg) => {
      for (const o of (msg.objects || []).slice().reverse()) {
        add(fill('changes.grade', { name: o.name || `${i18n.layerLabel(o.category)} ${o.id}`, from: i18n.gradeLabel(o.from), to: i18n.gradeLabel(o.to) }), o.to, o.lon, o.lat);
      }
      more(msg.more);
    },
    hazard_overdue: (msg) => {
      for (const h of (msg.hazards || []).slice().reverse()) {
        add(fill('changes.overdue', { title: h.title || h.code }), h.level === 'major' ? 'red' : 'orange', h.lon, h.lat);
      }
      more(msg.more);
    },
  });
}

// ---------------------------------------------------------------- login

// login shows the login form (when the server asks for one, or when a
// user asks for it with 登录 on a map anyone may read) and, once the
// server accepts the name and password, reloads the page with its
// session cookie. required: reads need the login (the form cannot be
// put away).
function login(required = true) {
  const form = document.getElementById('login');
  const msg = document.getElementById('login-error');
  form.hidden = false;
  form.querySelector('.hint').hidden = !required;
  if (!required && !document.getElementById('login-cancel')) {
    // Only a login asked for may be put away (the button is made here, so
    // that a required login's form has none).
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.id = 'login-cancel';
    cancel.className = 'login-cancel';
    cancel.dataset.i18n = 'login.cancel';
    cancel.textContent = t('login.cancel');
    cancel.addEventListener('click', () => { form.hidden = true; });
    form.append(cancel);
  }
  form.elements.username.focus();
  fetchJSON('api/v1/session/methods')
    .then((m) => { document.getElementById('login-sso').hidden = !(m && m.oidc); })
    .catch(() => {});
  if (form.dataset.wired) return new Promise(() => {});
  form.dataset.wired = 'true';
  return new Promise(() => {
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      msg.hidden = true;
      try {
        const s = await fetchJSON('api/v1/session', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ username: form.elements.username.value, password: form.elements.password.value }),
        });
        if (s && s.must_change_password) {
          form.hidden = true;
          await changePassword(s, form.elements.password.value);
        }
        afterLogin();
      } catch (err) {
        const key = err.status === 401 ? 'login.wrong' : err.status === 429 ? 'login.busy' : 'login.failed';
        msg.dataset.i18n = key;
        msg.textContent = t(key);
        msg.hidden = false;
      }
    });
  });
}

/** Where a login leads: the page that sent the user here (?next=), or the map again. */
function afterLogin() {
  // The wall and the workbench pages send their viewers here to log in
  // (?next=wall, tasks, admin or import), and get them back.
  const next = new URLSearchParams(window.location.search).get('next');
  if (next === 'wall' || next === 'tasks' || next === 'admin' || next === 'import') window.location.href = next;
  else window.location.reload();
}

/**
 * After a login with a one-time password (an admin's reset): the user
 * chooses their own before anything else, and is logged in with it.
 * current is the one-time password when just typed, '' when asked again.
 */
function changePassword(s, current) {
  const box = document.getElementById('password-change');
  const msg = box.querySelector('.login-error');
  box.hidden = false;
  box.elements.current.closest('label').hidden = !!current;
  box.elements.current.value = current;
  box.elements.password.focus();
  return new Promise((resolve) => {
    box.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      msg.hidden = true;
      const next = box.elements.password.value;
      let key = '';
      if (next !== box.elements.again.value) key = 'password.mismatch';
      else {
        try {
          await fetchJSON('api/v1/session/password', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': s.csrf_token || '' },
            body: JSON.stringify({ current: box.elements.current.value, password: next }),
          });
          // The change ends every session of the user: log in with the new password.
          await fetchJSON('api/v1/session', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
            body: JSON.stringify({ username: s.user, password: next }),
          });
          resolve();
          return;
        } catch (err) {
          const p = err.problem || {};
          key = p.param === 'current' ? 'password.wrongCurrent' : p.param === 'password' ? 'password.weak' : 'login.failed';
        }
      }
      msg.textContent = t(key);
      msg.hidden = false;
    });
  });
}

// whoAmI asks who is logged in: a dispatcher (or an admin) gets the
// dispatcher's panel; nobody, on a server that keeps users, a 登录 button.
// who is logged in (GET api/v1/session), for the title bar.
let who = null;

/** The title bar's 用户 · 角色 · 区划 of who is logged in. */
function renderWho() {
  const box = document.getElementById('who');
  box.hidden = !who;
  if (!who) return;
  const role = t(`role.${who.role}`);
  box.replaceChildren(el('b', {}, who.user), ` · ${role === `role.${who.role}` ? who.role : role}`,
    ` · ${who.division_name || who.division || t('who.everywhere')}`);
  box.title = box.textContent;
}

async function whoAmI(map) {
  let s = null;
  try {
    s = await fetchSession();
  } catch (err) {
    recordError(`session ${err.message}`);
    return;
  }
  if (!s) {
    // 401: users exist but nobody is logged in here (404: no users at all).
    try {
      await fetchJSON('api/v1/session/methods');
    } catch { return; }
    const b = document.getElementById('login-toggle');
    b.hidden = false;
    b.addEventListener('click', () => login(false));
    if (new URLSearchParams(window.location.search).get('next')) login(false);
    return;
  }
  if (s.must_change_password) {
    // A one-time password is still in use (a reload after logging in with it).
    await changePassword(s, '');
    afterLogin();
    return;
  }
  const tasks = document.getElementById('tasks-link');
  tasks.href = inView('tasks');
  tasks.hidden = false;
  if (s.role === 'admin' || s.role === 'editor') {
    const imp = document.getElementById('import-link');
    imp.href = inView('import');
    imp.hidden = false;
  }
  if (s.role === 'admin') {
    const admin = document.getElementById('admin-link');
    admin.href = inView('admin');
    admin.hidden = false;
  }
  who = s;
  renderWho();
  card.setUser(s);
  const out = document.getElementById('logout');
  out.hidden = false;
  out.addEventListener('click', async () => {
    try {
      await logout();
    } catch (err) {
      recordError(`logout ${err.message}`);
    }
    window.location.href = './';
  });
  watchSession();
  window.addEventListener(SESSION_EXPIRED, () => {
    // The server forgot the session (it ran out): say so, offer the login.
    who = null;
    renderWho();
    out.hidden = true;
    const note = document.getElementById('notice');
    note.dataset.i18n = 'session.expired';
    note.textContent = t('session.expired');
    note.hidden = false;
    const b = document.getElementById('login-toggle');
    b.hidden = false;
    b.onclick = () => login(false);
  });
  setCSRF(s.csrf_token);
  if (s.division && !viewDivision) {
    // A user of a division lands on its map.
    const url = new URL(window.location.href);
    url.searchParams.set('division', s.division);
    window.location.replace(url.href);
    return;
  }
  if (map && (s.role === 'dispatcher' || s.role === 'admin')) dispatch.enablePanel(map, s);
  if (map && (s.role === 'planner' || s.role === 'admin')) zones.enable(map, s, recordError);
}

// ---------------------------------------------------------------- start

async function main() {
  i18n.applyToDocument();
  renderLangToggle();
  renderTitle();

  try {
    let cfg;
    try {
      cfg = await fetchJSON('config.json');
    } catch (err) {
      if (err.status !== 401) throw err;
      await login(); // reads need a login here: the page reloads after it
      return;
    }
    config = { ...DEFAULT_CONFIG, ...cfg };
    fetchJSON('api/v1/schema').then(i18n.setCatalogue).catch((err) => recordError(`schema ${err.message}`));
    if (!Array.isArray(config.center) || config.center.length !== 2) config.center = DEFAULT_CONFIG.center;
    if (typeof config.zoom !== 'number') config.zoom = DEFAULT_CONFIG.zoom;
  } catch (err) {
    recordError(`fetch ${err.message}`);
    const note = document.getElementById('notice');
    note.dataset.i18n = 'error.config';
    note.textContent = t('error.config');
    note.hidden = false;
  }
  renderTitle();

  const vis = loadVisibility();
  let onToggle = (key, on) => { vis[key] = on; saveVisibility(vis); };

  let map = null;
  try {
    filters.enable(document.getElementById('filters')); // the filter kept from the last visit goes into the first style
    map = createMap(vis);
  } catch (err) {
    recordError(`map: ${err && err.message ? err.message : err}`);
    showFatal(err);
  }
  if (map) {
    window.__map = map;
    countyMap = map;
    filters.attach(map);
    onToggle = wireMap(map, vis);
    const toggled = onToggle;
    onToggle = (key, on) => { toggled(key, on); if (key === 'regions_county' && on) applyCountyRule(); };
    map.once('load', () => applyCountyRule());
    dispatch.showIncidents(map, () => vis.incidents !== false, recordError);
    listenForChanges(map);
    report.enable(map, { style: () => buildStyle(config, vis), title: appTitle, config: () => config, recordError });
  }
  whoAmI(map).catch((err) => recordError(`session: ${err && err.message ? err.message : err}`));

  renderLayers(vis, (k, on) => onToggle(k, on));
  renderLegend();
  renderLegendHint();

  document.getElementById('lang-toggle').addEventListener('click', () => i18n.setLang(i18n.otherLang()));
  i18n.onLangChange(() => {
    i18n.applyToDocument();
    renderLangToggle();
    renderTitle();
    renderLayers(vis, (k, on) => onToggle(k, on));
    renderLegend();
    renderLegendHint();
    card.rerender();
    dispatch.rerender();
    zones.rerender();
    report.rerender();
    search.rerender();
    filters.render();
    renderWho();
    relabelControls();
    attribution.render();
    const box = document.getElementById('map-error');
    if (!box.hidden && !map) showFatal(window.__mapErrors.find((s) => s.startsWith('map: ')) ?? '');
  });
}

main().catch((err) => recordError(`startup: ${err && err.stack ? err.stack : err}`));
