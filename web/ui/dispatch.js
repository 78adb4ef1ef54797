// The dispatcher's panel (调度面板) and the incidents layer.
//
// Everyone sees open incidents as a live layer (a symbol per level, from
// api/v1/incidents?f=geojson, fetched again when the event stream says
// incidents changed). A dispatcher or an admin also gets the 调度 panel:
// report an incident (a click on the map, or pasted coordinates in
// WGS84, GCJ-02 or BD-09), see 1/3/5 km rings, what lies around, the
// nearest rescue resources and shelters (by road time when a road
// network is loaded), a resource's route and ETA, isochrones; assign
// resources with one click; close the incident, which releases them.
//
// Built with DOM calls and textContent only: data from the server is
// never parsed as HTML.
//
// Test hooks: window.__incidentLoads counts the incident layer's
// loads; window.__dispatch is the panel's state (read only).

import { t, valueLabel, layerLabel, lang } from './i18n.js';
import { fetchJSON, send } from './api.js';
import { el, fill, num } from './dom.js';
import { GRADE_COLOURS } from './style.js';

// ---------------------------------------------------------------- geometry

const EARTH_M = 6371008.8; // mean radius

/**
 * A geodesic circle (on the sphere) of radius metres around [lon, lat],
 * as a GeoJSON Polygon ring of n+1 points: accurate to well under a metre
 * against the spheroid at the 1–5 km a dispatcher looks at.
 */
export function circle(lon, lat, metres, n = 96) {
  const d = metres / EARTH_M;
  const p1 = (lat * Math.PI) / 180;
  const l1 = (lon * Math.PI) / 180;
  const ring = [];
  for (let i = 0; i <= n; i += 1) {
    const b = (2 * Math.PI * (i % n)) / n;
    const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
    const l2 = l1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
    ring.push([(((l2 * 180) / Math.PI + 540) % 360) - 180, (p2 * 180) / Math.PI]);
  }
  return { type: 'Polygon', coordinates: [ring] };
}

const RING_RADII = [1000, 3000, 5000];
const ISO_MINUTES = [5, 10, 15, 30];
const ISO_COLOURS = { 5: '#1A9850', 10: '#91CF60', 15: '#FEE08B', 30: '#FC8D59' };

/** Incident levels: Ⅰ 特别重大 red, Ⅱ 重大 orange, Ⅲ 较大 yellow, Ⅳ 一般 blue (the alert colours). */
export const LEVEL_COLOURS = { I: '#E60012', II: '#FF7F00', III: '#FFD700', IV: '#1E6FD9' };
export const LEVEL_NUMERALS = { I: 'Ⅰ', II: 'Ⅱ', III: 'Ⅲ', IV: 'Ⅳ' };

const EMPTY = { type: 'FeatureCollection', features: [] };

const km = (m) => (m == null ? '—' : `${num(m / 1000, 1)} km`);
const minutes = (s) => (s == null ? '—' : fill('dispatch.min', { n: num(s / 60, s < 600 ? 1 : 0) }));

// ---------------------------------------------------------------- incidents layer

/**
 * Draws an incident's symbol for a level: a shape of its own (Ⅰ diamond,
 * Ⅱ triangle, Ⅲ square, Ⅳ circle) in the level's colour, with the
 * numeral, so that the levels differ in shape and not only colour.
 */
export function levelIcon(level) {
  const px = 2;
  const s = 30 * px;
  const c = document.createElement('canvas');
  c.width = s;
  c.height = s;
  const g = c.getContext('2d');
  const m = s / 2;
  g.beginPath();
  if (level === 'I') {
    g.moveTo(m, 1 * px); g.lineTo(s - 1 * px, m); g.lineTo(m, s - 1 * px); g.lineTo(1 * px, m);
  } else if (level === 'II') {
    g.moveTo(m, 1.5 * px); g.lineTo(s - 1.5 * px, s - 3 * px); g.lineTo(1.5 * px, s - 3 * px);
  } else if (level === 'III') {
    g.rect(4 * px, 4 * px, s - 8 * px, s - 8 * px);
  } else {
    g.arc(m, m, m - 3 * px, 0, 2 * Math.PI);
  }
  g.closePath();
  g.fillStyle = LEVEL_COLOURS[level] || '#9E9E9E';
  g.fill();
  g.lineWidth = 2.5 * px;
  g.strokeStyle = '#FFFFFF';
  g.stroke();
  g.fillStyle = level === 'III' ? '#1A1A1A' : '#FFFFFF';
  g.font = `bold ${11 * px}px sans-serif`;
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  g.fillText(LEVEL_NUMERALS[level] || '?', m, level === 'II' ? m + 4 * px : m + 0.5 * px);
  return { image: g.getImageData(0, 0, s, s), pixelRatio: px };
}

let theMap = null;
let incidentsVisible = () => true;
let logError = (s) => console.error(s);
let incidentSeq = 0;
let lastIncidents = null; // the last FeatureCollection

/** Loads (again) the open incidents into the layer. */
async function loadIncidents() {
  if (!theMap) return;
  const my = ++incidentSeq;
  let fc;
  try {
    fc = await fetchJSON('api/v1/incidents?f=geojson', { headers: { Accept: 'application/geo+json, application/json' } });
  } catch (err) {
    // 404: this server has no dispatch; 401/403: not for this user.
    if (err.status !== 404 && err.status !== 401 && err.status !== 403) logError(`incidents ${err.message}`);
    return;
  }
  if (my !== incidentSeq) return;
  lastIncidents = fc;
  const src = theMap.getSource('incidents');
  if (src) src.setData(fc);
  else addIncidentLayer(fc);
  window.__incidentLoads = (window.__incidentLoads || 0) + 1;
}

function addIncidentLayer(fc) {
  for (const l of Object.keys(LEVEL_COLOURS)) {
    const id = `incident-${l}`;
    if (!theMap.hasImage(id)) {
      const { image, pixelRatio } = levelIcon(l);
      theMap.addImage(id, image, { pixelRatio });
    }
  }
  theMap.addSource('incidents', { type: 'geojson', data: fc, promoteId: 'id' });
  theMap.addLayer({
    id: 'incidents',
    type: 'symbol',
    source: 'incidents',
    layout: {
      visibility: incidentsVisible() ? 'visible' : 'none',
      'icon-image': ['concat', 'incident-', ['coalesce', ['get', 'level'], 'IV']],
      'icon-size': ['interpolate', ['linear'], ['zoom'], 8, 0.8, 13, 1.1],
      'icon-allow-overlap': true,
      'icon-ignore-placement': true,
      'symbol-sort-key': ['match', ['get', 'level'], 'I', 4, 'II', 3, 'III', 2, 1],
    },
  });
}

/** Starts the incidents layer (for everyone). */
export function showIncidents(map, visible, recordError) {
  theMap = map;
  incidentsVisible = visible;
  logError = recordError;
  const start = () => {
    loadIncidents();
    if (panel) panel.mapReady();
  };
  if (map.loaded() && map.isStyleLoaded()) start();
  else map.once('load', start);
}

/**
 * Called by the event stream: a layers event naming incidents (msg
 * undefined) or a dispatch event ({incident_id, action, resources, status}).
 */
export function incidentsChanged(msg) {
  loadIncidents();
  if (panel && msg) panel.onEvent(msg);
}

// ---------------------------------------------------------------- panel

let panel = null;

/** Gives a dispatcher (or an admin) the 调度 button and panel. */
export function enablePanel(map, who) {
  if (panel) return;
  panel = new Panel(map, who);
}

/** The map's click, offered to the panel first; true when the panel took it. */
export function consumeClick(e) { return panel ? panel.click(e) : false; }

/** Redraws the panel in the current language. */
export function rerender() { if (panel) panel.render(); }

class Panel {
  constructor(map, who) {
    this.map = map;
    this.who = who;
    this.root = document.getElementById('dispatch');
    this.button = document.getElementById('dispatch-toggle');
    this.st = {
      open: false,
      meta: null,
      incidents: [],
      current: null, // Incident
      placing: false,
      form: { kind: 'landslide', level: 'III', title: '', description: '', coords: '', crs: 'wgs84' },
      formError: '',
      tab: 'rescue_resources',
      by: 'distance',
      onlyAvailable: true,
      types: null, // Set of resource type codes; null: the kind's teams
      nearest: null,
      nearestError: '',
      selected: null, // candidate id whose route is drawn
      route: null, // {seconds, metres, kind: road|straight, note}
      iso: false,
      isoNote: '',
      around: null,
      aroundError: '',
      error: '', // the last action's error, in the user's language
      errorDetail: '',
      busy: false,
    };
    window.__dispatch = this.st;
    this.seq = 0;
    this.button.hidden = false;
    this.button.addEventListener('click', () => this.toggle());
    this.layersAdded = false;
    if (map.loaded()) this.mapReady();
    fetchJSON('api/v1/dispatch/meta')
      .then((m) => {
        this.st.meta = m;
        if (m.network && m.network.edges > 0) this.st.by = 'time';
        this.render();
      })
      .catch((err) => { logError(`dispatch meta ${err.message}`); });
    this.render();
  }

  // ----- map layers of the panel

  mapReady() {
    if (this.layersAdded || !this.map.isStyleLoaded()) return;
    this.layersAdded = true;
    const m = this.map;
    const below = m.getLayer('incidents') ? 'incidents' : undefined;
    m.addSource('dispatch-iso', { type: 'geojson', data: EMPTY });
    m.addSource('dispatch-rings', { type: 'geojson', data: EMPTY });
    m.addSource('dispatch-route', { type: 'geojson', data: EMPTY });
    m.addSource('dispatch-candidates', { type: 'geojson', data: EMPTY });
    m.addSource('dispatch-pick', { type: 'geojson', data: EMPTY });
    const isoColour = ['match', ['get', 'minutes'], ...ISO_MINUTES.flatMap((n) => [n, ISO_COLOURS[n]]), '#FC8D59'];
    m.addLayer({ id: 'dispatch-iso', type: 'fill', source: 'dispatch-iso',
      layout: { 'fill-sort-key': ['-', 0, ['get', 'minutes']] },
      paint: { 'fill-color': isoColour, 'fill-opacity': 0.35, 'fill-outline-color': isoColour } }, below);
    m.addLayer({ id: 'dispatch-rings', type: 'line', source: 'dispatch-rings',
      paint: { 'line-color': '#FFFFFF', 'line-width': 1.6, 'line-dasharray': [3, 2], 'line-opacity': 0.9 } }, below);
    m.addLayer({ id: 'dispatch-ring-labels', type: 'symbol', source: 'dispatch-rings',
      layout: { 'symbol-placement': 'line', 'text-field': ['get', 'label'], 'text-size': 12 },
      paint: { 'text-color': '#FFFFFF', 'text-halo-color': '#0E1A2B', 'text-halo-width': 1.5 } }, below);
    m.addLayer({ id: 'dispatch-route', type: 'line', source: 'dispatch-route',
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': ['match', ['get', 'kind'], 'road', '#00E5FF', '#FFFFFF'], 'line-width': ['match', ['get', 'kind'], 'road', 5, 2],
        'line-opacity': 0.95 } }, below);
    m.addLayer({ id: 'dispatch-candidates', type: 'circle', source: 'dispatch-candidates',
      paint: {
        'circle-radius': ['case', ['get', 'selected'], 9, 6],
        'circle-color': ['case', ['get', 'assigned'], '#00E5FF', ['get', 'selected'], '#FFFFFF', '#2EE6A8'],
        'circle-stroke-color': '#0E1A2B', 'circle-stroke-width': 2,
      } }, below);
    m.addLayer({ id: 'dispatch-pick', type: 'circle', source: 'dispatch-pick',
      paint: { 'circle-radius': 7, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#FFFFFF', 'circle-stroke-width': 3 } });
    this.drawAll();
  }

  setData(id, data) {
    const s = this.map.getSource(id);
    if (s) s.setData(data);
  }

  drawAll() {
    if (!this.layersAdded) return;
    const inc = this.st.current;
    const pick = this.st.pick;
    this.setData('dispatch-pick', pick ? { type: 'Feature', geometry: { type: 'Point', coordinates: pick }, properties: {} } : EMPTY);
    if (!inc) {
      for (const id of ['dispatch-rings', 'dispatch-route', 'dispatch-candidates', 'dispatch-iso']) this.setData(id, EMPTY);
      return;
    }
    this.setData('dispatch-rings', {
      type: 'FeatureCollection',
      features: RING_RADII.map((r) => ({ type: 'Feature', geometry: circle(inc.lon, inc.lat, r), properties: { radius_m: r, label: `${r / 1000}km` } })),
    });
    const assigned = new Set(this.activeAssignments().map((a) => a.resource_id));
    const cands = (this.st.nearest && this.st.nearest.candidates) || [];
    this.setData('dispatch-candidates', {
      type: 'FeatureCollection',
      features: cands.map((c) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [c.lon, c.lat] },
        properties: { id: c.id, selected: c.id === this.st.selected, assigned: assigned.has(c.id) } })),
    });
  }

  // ----- interaction

  toggle(open = !this.st.open) {
    this.st.open = open;
    this.button.setAttribute('aria-expanded', String(open));
    document.body.classList.toggle('dispatch-open', open);
    if (open) this.loadList();
    else this.setPlacing(false);
    this.render();
  }

  setPlacing(on) {
    this.st.placing = on;
    this.map.getCanvas().style.cursor = on ? 'crosshair' : '';
    document.body.classList.toggle('dispatch-placing', on);
  }

  click(e) {
    if (this.st.placing) {
      const { lng, lat } = e.lngLat;
      this.st.form.coords = `${lng.toFixed(6)},${lat.toFixed(6)}`;
      this.st.form.crs = 'wgs84';
      this.st.pick = [lng, lat];
      this.setPlacing(false);
      this.drawAll();
      this.render();
      return true;
    }
    if (!this.map.getLayer('incidents')) return false;
    const r = 8;
    const hits = this.map.queryRenderedFeatures([[e.point.x - r, e.point.y - r], [e.point.x + r, e.point.y + r]], { layers: ['incidents'] });
    if (hits.length === 0) return false;
    const id = hits[0].properties.id ?? hits[0].id;
    if (!this.st.open) this.toggle(true);
    this.select(Number(id));
    return true;
  }

  onEvent(msg) {
    if (!this.st.open) return;
    this.loadList();
    if (this.st.current && msg.incident_id === this.st.current.id) this.reloadCurrent();
    else if (this.st.current && msg.action !== 'reported') this.loadNearest(); // a resource's status may have changed
  }

  showError(err, key) {
    this.st.error = t(key || errorKey(err));
    this.st.errorDetail = err && (err.detail || err.message) ? String(err.detail || err.message) : '';
    report(err, 'dispatch');
  }

  clearError() { this.st.error = ''; this.st.errorDetail = ''; }

  async loadList() {
    try {
      const r = await fetchJSON('api/v1/incidents');
      this.st.incidents = r.incidents || [];
      this.render();
    } catch (err) {
      this.showError(err);
      this.render();
    }
  }

  async create() {
    const f = this.st.form;
    this.st.formError = '';
    if (!f.coords.trim()) {
      this.st.formError = t('dispatch.err.coords');
      this.render();
      return;
    }
    if (!f.title.trim()) {
      this.st.formError = t('dispatch.err.title');
      this.render();
      return;
    }
    this.st.busy = true;
    this.render();
    try {
      const inc = await send('POST', 'api/v1/incidents', {
        kind: f.kind, level: f.level, title: f.title.trim(), description: f.description.trim(), coordinates: f.coords.trim(), crs: f.crs,
      });
      f.title = '';
      f.description = '';
      f.coords = '';
      this.st.pick = null;
      loadIncidents();
      this.loadList();
      this.st.busy = false;
      await this.select(inc.id, inc);
    } catch (err) {
      this.st.busy = false;
      this.st.formError = err.status === 400 || err.status === 422 ? fill('dispatch.err.invalid', { detail: err.detail || '' }) : t(errorKey(err));
      report(err, 'dispatch create');
      this.render();
    }
  }

  async select(id, known) {
    const my = ++this.seq;
    this.clearError();
    let inc = known;
    if (!inc) {
      try { inc = await fetchJSON(`api/v1/incidents/${id}`); } catch (err) { this.showError(err); this.render(); return; }
    }
    if (my !== this.seq) return;
    const changed = !this.st.current || this.st.current.id !== inc.id;
    this.st.current = inc;
    if (changed) {
      this.st.types = null;
      this.st.selected = null;
      this.st.route = null;
      this.setData('dispatch-route', EMPTY);
      this.st.nearest = null;
      this.st.around = null;
      this.map.fitBounds(ringBounds(inc), { padding: { top: 40, bottom: 40, left: 260, right: 440 }, maxZoom: 14, duration: 0 });
    }
    this.render();
    this.drawAll();
    this.loadNearest();
    if (changed) {
      this.loadAround();
      if (this.st.iso) this.loadIso();
    }
  }

  async reloadCurrent() {
    if (!this.st.current) return;
    await this.select(this.st.current.id);
  }

  activeAssignments() {
    const inc = this.st.current;
    return inc && Array.isArray(inc.assignments) ? inc.assignments.filter((a) => a.active) : [];
  }

  kindTeams() {
    const inc = this.st.current;
    const kinds = (this.st.meta && this.st.meta.kinds) || [];
    const k = inc && kinds.find((x) => x.code === inc.kind);
    return (k && k.teams) || [];
  }

  types() { return this.st.types ?? new Set(this.kindTeams()); }

  async loadNearest() {
    const inc = this.st.current;
    if (!inc) return;
    const q = new URLSearchParams({ lon: String(inc.lon), lat: String(inc.lat), category: this.st.tab, limit: '10', by: this.st.by });
    if (this.st.tab === 'rescue_resources') {
      const types = [...this.types()];
      if (types.length > 0) q.set('type', types.join(','));
      if (this.st.onlyAvailable) q.set('status', 'available,standby');
    }
    const key = q.toString();
    this.nearestKey = key;
    try {
      const r = await fetchJSON(`api/v1/nearest?${key}`);
      if (this.nearestKey !== key) return;
      this.st.nearest = r;
      this.st.nearestError = '';
    } catch (err) {
      if (this.nearestKey !== key) return;
      this.st.nearest = null;
      this.st.nearestError = t(errorKey(err));
      logError(`nearest ${err.message}`);
    }
    this.render();
    this.drawAll();
  }

  async loadAround() {
    const inc = this.st.current;
    if (!inc) return;
    const id = inc.id;
    try {
      const r = await fetchJSON(`api/v1/around?lon=${inc.lon}&lat=${inc.lat}&radius=${RING_RADII.join(',')}`);
      if (!this.st.current || this.st.current.id !== id) return;
      this.st.around = r;
      this.st.aroundError = '';
    } catch (err) {
      this.st.aroundError = t(errorKey(err));
      logError(`around ${err.message}`);
    }
    this.render();
  }

  async loadIso() {
    const inc = this.st.current;
    if (!inc || !this.st.iso) { this.setData('dispatch-iso', EMPTY); return; }
    this.st.isoNote = t('dispatch.loading');
    this.render();
    try {
      const fc = await fetchJSON(`api/v1/isochrones?lon=${inc.lon}&lat=${inc.lat}&minutes=${ISO_MINUTES.join(',')}&direction=in`,
        { headers: { Accept: 'application/geo+json, application/json' } });
      if (!this.st.iso || !this.st.current || this.st.current.id !== inc.id) return;
      this.setData('dispatch-iso', fc);
      this.st.isoNote = '';
    } catch (err) {
      this.setData('dispatch-iso', EMPTY);
      this.st.isoNote = err.status === 409 ? t('dispatch.noNetwork') : t(errorKey(err));
      if (err.status !== 409) logError(`isochrones ${err.message}`);
    }
    this.render();
  }

  /** Draws the route from a candidate to the incident (a straight line when no road network answers). */
  async showRoute(c) {
    const inc = this.st.current;
    if (!inc) return;
    this.st.selected = c.id;
    this.drawAll();
    const straight = { type: 'Feature', geometry: { type: 'LineString', coordinates: [[c.lon, c.lat], [inc.lon, inc.lat]] }, properties: { kind: 'straight' } };
    this.st.route = { kind: 'loading', metres: c.straight_m };
    this.render();
    const my = c.id;
    try {
      const f = await fetchJSON(`api/v1/route?from_lon=${c.lon}&from_lat=${c.lat}&to_lon=${inc.lon}&to_lat=${inc.lat}`,
        { headers: { Accept: 'application/geo+json, application/json' } });
      if (this.st.selected !== my) return;
      f.properties = { ...(f.properties || {}), kind: 'road' };
      this.setData('dispatch-route', f);
      const prep = Number(c.attributes && c.attributes.prep_time_min);
      this.st.route = { kind: 'road', seconds: f.properties.seconds, metres: f.properties.metres,
        eta: Number.isFinite(prep) ? f.properties.seconds + prep * 60 : null };
    } catch (err) {
      if (this.st.selected !== my) return;
      this.setData('dispatch-route', straight);
      this.st.route = { kind: 'straight', metres: c.straight_m, note: err.status === 409 ? t('dispatch.noNetwork') : t('dispatch.unreachable') };
      if (err.status !== 409 && err.status !== 422 && err.status !== 404) logError(`route ${err.message}`);
    }
    this.render();
  }

  async assign(c) {
    const inc = this.st.current;
    if (!inc) return;
    this.clearError();
    this.st.busy = true;
    this.render();
    try {
      await send('POST', `api/v1/incidents/${inc.id}/assignments`, { resource_id: c.id });
      this.st.busy = false;
      this.st.notice = fill('dispatch.assigned', { name: c.name });
      await this.reloadCurrent();
    } catch (err) {
      this.st.busy = false;
      this.showError(err, err.status === 409 ? 'dispatch.err.busy' : undefined);
      // The server names the incident the team went to: say which.
      const m = err.status === 409 && /assigned to incident \d+ \((.+)\)/.exec(err.detail || '');
      if (m) this.st.error = fill('dispatch.err.busyAt', { title: m[1] });
      this.render();
    }
  }

  async release(a) {
    const inc = this.st.current;
    if (!inc) return;
    this.clearError();
    try {
      await send('DELETE', `api/v1/incidents/${inc.id}/assignments/${a.resource_id}`);
      await this.reloadCurrent();
    } catch (err) {
      this.showError(err);
      this.render();
    }
  }

  async setStatus(status) {
    const inc = this.st.current;
    if (!inc) return;
    if (status === 'closed' && !window.confirm(fill('dispatch.confirmClose', { title: inc.title }))) return;
    this.clearError();
    try {
      const out = await send('PATCH', `api/v1/incidents/${inc.id}`, { status });
      loadIncidents();
      this.loadList();
      if (out.status === 'closed') this.deselect();
      else await this.select(out.id, out);
    } catch (err) {
      this.showError(err);
      this.render();
    }
  }

  deselect() {
    this.seq += 1;
    this.st.current = null;
    this.st.nearest = null;
    this.st.around = null;
    this.st.route = null;
    this.st.selected = null;
    this.setData('dispatch-route', EMPTY);
    this.setData('dispatch-iso', EMPTY);
    this.drawAll();
    this.render();
  }

  // ----- rendering

  render() {
    const root = this.root;
    this.button.textContent = t('dispatch.button');
    root.hidden = !this.st.open;
    if (!this.st.open) return;
    // The incident form stays the same element while it is shown: a
    // list or meta arriving in the middle of typing updates the form
    // in place instead of replacing the field under the cursor.
    const formKey = `${lang()}|${this.st.meta ? 1 : 0}`;
    if (!this.st.current && this.formNode && this.formNode.isConnected && this.formKey === formKey) {
      this.updateForm();
      const errorBox = root.querySelector('#dispatch-error');
      errorBox.textContent = this.st.error;
      errorBox.title = this.st.errorDetail || '';
      errorBox.hidden = !this.st.error;
      root.querySelector('#dispatch-incidents').replaceWith(this.renderList());
      return;
    }
    const focused = document.activeElement && root.contains(document.activeElement) ? document.activeElement.dataset.field : null;
    root.replaceChildren();
    this.formNode = null;
    const close = el('button', { type: 'button', class: 'card-close', 'aria-label': t('card.close'), title: t('card.close'), onclick: () => this.toggle(false) }, '×');
    root.append(el('header', { class: 'card-head' },
      el('div', { class: 'card-kicker' }, fill('dispatch.who', { user: this.who.user || '' })),
      el('h2', { class: 'card-title', id: 'dispatch-title' }, t('dispatch.heading')), close));
    root.append(el('p', { id: 'dispatch-error', class: 'dispatch-error', role: 'alert', title: this.st.errorDetail || null, hidden: !this.st.error }, this.st.error));
    if (this.st.current) root.append(this.renderIncident());
    else {
      this.formNode = this.renderForm();
      this.formKey = formKey;
      root.append(this.formNode, this.renderList());
    }
    if (focused) {
      const f = root.querySelector(`[data-field="${focused}"]`);
      if (f) f.focus();
    }
  }

  renderList() {
    const list = this.st.incidents;
    const box = el('section', { class: 'dispatch-section', id: 'dispatch-incidents' }, el('h3', { class: 'card-sub' }, t('dispatch.open')));
    if (list.length === 0) {
      box.append(el('p', { class: 'muted' }, t('dispatch.noIncidents')));
      return box;
    }
    box.append(el('ul', { class: 'dispatch-list' }, list.map((inc) => el('li', {},
      el('button', { type: 'button', class: 'incident-item', 'data-incident': inc.id, onclick: () => this.select(inc.id) },
        levelBadge(inc.level), ' ', inc.title, el('span', { class: 'muted' }, ` · ${kindLabel(inc.kind)} · ${t(`dispatch.status.${inc.status}`)}`))))));
    return box;
  }

  renderForm() {
    const f = this.st.form;
    const meta = this.st.meta;
    const kinds = meta ? meta.kinds.map((k) => k.code) : ['landslide', 'hazmat_leak', 'fire', 'forest_fire', 'flood', 'traffic', 'mine', 'building_collapse', 'other'];
    const levels = meta ? meta.levels : ['I', 'II', 'III', 'IV'];
    const bind = (field) => ({ 'data-field': field, oninput: (e) => { f[field] = e.target.value; }, onchange: (e) => { f[field] = e.target.value; } });
    const select = (field, options) => {
      const s = el('select', { name: field, ...bind(field) }, options.map(([v, label]) => el('option', { value: v }, label)));
      s.value = f[field];
      return s;
    };
    const input = (field, attrs = {}) => {
      const i = el(attrs.rows ? 'textarea' : 'input', { name: field, ...attrs, ...bind(field) });
      i.value = f[field];
      return i;
    };
    const form = el('form', { class: 'dispatch-form', id: 'dispatch-form', onsubmit: (e) => { e.preventDefault(); this.create(); } },
      el('h3', { class: 'card-sub' }, t('dispatch.new')),
      el('label', {}, el('span', {}, t('dispatch.kind')), select('kind', kinds.map((k) => [k, kindLabel(k)]))),
      el('label', {}, el('span', {}, t('dispatch.level')), select('level', levels.map((l) => [l, levelLabel(l)]))),
      el('label', {}, el('span', {}, t('dispatch.title')), input('title', { maxlength: '200', placeholder: t('dispatch.title.ph') })),
      el('label', {}, el('span', {}, t('dispatch.description')), input('description', { rows: '2', maxlength: '2000' })),
      el('label', {}, el('span', {}, t('dispatch.coords')), input('coords', { placeholder: '119.92,28.45', autocomplete: 'off' })),
      el('label', {}, el('span', {}, t('dispatch.crs')), select('crs', [['wgs84', t('dispatch.crs.wgs84')], ['gcj02', t('dispatch.crs.gcj02')], ['bd09', t('dispatch.crs.bd09')]])),
      el('div', { class: 'dispatch-row' },
        el('button', { type: 'button', class: `btn${this.st.placing ? ' active' : ''}`, id: 'dispatch-place', 'aria-pressed': String(this.st.placing),
          onclick: () => { this.setPlacing(!this.st.placing); this.render(); } }, t(this.st.placing ? 'dispatch.placing' : 'dispatch.place')),
        el('button', { type: 'submit', class: 'btn primary', id: 'dispatch-create', disabled: this.st.busy }, t('dispatch.create'))),
      el('p', { class: 'dispatch-error', role: 'alert', id: 'dispatch-form-error', hidden: !this.st.formError }, this.st.formError),
      el('p', { class: 'hint' }, t('dispatch.coords.hint')));
    return form;
  }

  /** Brings the shown form up to the state: values set from the map, busy, placing, errors. */
  updateForm() {
    const form = this.formNode;
    const f = this.st.form;
    for (const field of Object.keys(f)) {
      const input = form.elements.namedItem(field);
      if (input && input.value !== f[field]) input.value = f[field];
    }
    const place = form.querySelector('#dispatch-place');
    place.classList.toggle('active', this.st.placing);
    place.setAttribute('aria-pressed', String(this.st.placing));
    place.textContent = t(this.st.placing ? 'dispatch.placing' : 'dispatch.place');
    form.querySelector('#dispatch-create').disabled = this.st.busy;
    const err = form.querySelector('#dispatch-form-error');
    err.textContent = this.st.formError;
    err.hidden = !this.st.formError;
  }

  renderIncident() {
    const inc = this.st.current;
    const box = el('section', { class: 'dispatch-incident', id: 'dispatch-incident', 'data-incident': inc.id });
    box.append(el('div', { class: 'dispatch-row' },
      el('button', { type: 'button', class: 'btn', id: 'dispatch-back', onclick: () => { this.deselect(); this.loadList(); } }, `← ${t('dispatch.back')}`),
      el('span', { class: 'dispatch-status', 'data-status': inc.status }, t(`dispatch.status.${inc.status}`))));
    box.append(el('h3', { class: 'incident-title' }, levelBadge(inc.level), ' ', inc.title));
    box.append(el('p', { class: 'muted' }, `${kindLabel(inc.kind)} · ${levelLabel(inc.level)} · ${inc.lon.toFixed(5)}, ${inc.lat.toFixed(5)}`,
      inc.description ? el('br') : null, inc.description || null));
    box.append(el('div', { class: 'dispatch-row' },
      el('label', { class: 'check' }, el('input', { type: 'checkbox', id: 'dispatch-iso', checked: this.st.iso,
        onchange: (e) => { this.st.iso = e.target.checked; this.loadIso(); } }), t('dispatch.iso')),
      inc.status === 'open' ? el('button', { type: 'button', class: 'btn', onclick: () => this.setStatus('responding') }, t('dispatch.respond')) : null,
      el('button', { type: 'button', class: 'btn danger', id: 'dispatch-close', onclick: () => this.setStatus('closed') }, t('dispatch.close'))));
    if (this.st.iso) {
      box.append(el('div', { class: 'iso-legend' }, ISO_MINUTES.map((m) => el('span', {},
        el('i', { style: { background: ISO_COLOURS[m] } }), fill('dispatch.min', { n: m })))));
      if (this.st.isoNote) box.append(el('p', { class: 'hint', id: 'dispatch-iso-note' }, this.st.isoNote));
    }
    if (this.st.notice) {
      box.append(el('p', { class: 'dispatch-notice', role: 'status' }, this.st.notice));
      this.st.notice = '';
    }

    // Assigned resources.
    const active = this.activeAssignments();
    box.append(el('h3', { class: 'card-sub' }, fill('dispatch.assignedHeading', { n: active.length })));
    if (active.length === 0) box.append(el('p', { class: 'muted' }, t('dispatch.noneAssigned')));
    else {
      box.append(el('ul', { class: 'dispatch-list', id: 'dispatch-assigned' }, active.map((a) => el('li', { 'data-resource': a.resource_id },
        el('span', { class: 'grow' }, a.resource_name, el('span', { class: 'muted' }, ` · ${a.team_type || ''} · ${km(a.straight_m)}${a.eta_s != null ? ` · ${minutes(a.eta_s)}` : ''}`)),
        el('button', { type: 'button', class: 'btn small', onclick: () => this.release(a) }, t('dispatch.release'))))));
    }

    box.append(this.renderNearest());
    box.append(this.renderAround());
    return box;
  }

  renderNearest() {
    const st = this.st;
    const networkLoaded = !!(st.meta && st.meta.network && st.meta.network.edges > 0);
    const box = el('section', { class: 'dispatch-section', id: 'dispatch-nearest' });
    const tab = (id) => el('button', { type: 'button', role: 'tab', class: `tab${st.tab === id ? ' active' : ''}`, 'aria-selected': String(st.tab === id), 'data-tab': id,
      onclick: () => { st.tab = id; st.selected = null; st.route = null; this.setData('dispatch-route', EMPTY); this.loadNearest(); this.render(); } }, layerLabel(id));
    box.append(el('div', { class: 'tabs', role: 'tablist' }, tab('rescue_resources'), tab('shelters')));
    const by = (id) => el('button', { type: 'button', class: `tab small${st.by === id ? ' active' : ''}`, 'data-by': id, 'aria-pressed': String(st.by === id),
      disabled: id === 'time' && !networkLoaded, title: id === 'time' && !networkLoaded ? t('dispatch.noNetwork') : null,
      onclick: () => { st.by = id; this.loadNearest(); this.render(); } }, t(`dispatch.by.${id}`));
    box.append(el('div', { class: 'dispatch-row' }, el('span', { class: 'muted' }, t('dispatch.rank')), by('time'), by('distance')));
    if (st.tab === 'rescue_resources') {
      const types = this.types();
      const codes = st.meta ? st.meta.resource_types.map((r) => r.code) : [];
      box.append(el('div', { class: 'chips', id: 'dispatch-types' }, codes.map((c) => el('label', { class: `chip${types.has(c) ? ' on' : ''}` },
        el('input', { type: 'checkbox', value: c, checked: types.has(c), onchange: (e) => {
          const s = new Set(this.types());
          if (e.target.checked) s.add(c); else s.delete(c);
          st.types = s;
          this.loadNearest();
          this.render();
        } }), t(`rtype.${c}`)))));
      box.append(el('label', { class: 'check' }, el('input', { type: 'checkbox', id: 'dispatch-only-available', checked: st.onlyAvailable,
        onchange: (e) => { st.onlyAvailable = e.target.checked; this.loadNearest(); } }), t('dispatch.onlyAvailable')));
    }
    if (st.nearestError) box.append(el('p', { class: 'dispatch-error' }, st.nearestError));
    const r = st.nearest;
    if (!r) {
      box.append(el('p', { class: 'muted' }, t('dispatch.loading')));
      return box;
    }
    if (r.note) box.append(el('p', { class: 'hint' }, r.ranked_by === 'distance' && st.by === 'time' ? t('dispatch.noNetwork') : r.note));
    if (r.candidates.length === 0) {
      box.append(el('p', { class: 'muted' }, t('dispatch.noCandidates')));
      return box;
    }
    const assigned = new Set(this.activeAssignments().map((a) => a.resource_id));
    const shelters = st.tab === 'shelters';
    const head = el('tr', {}, el('th', {}, '#'), el('th', {}, t('dispatch.col.name')), el('th', {}, t('dispatch.col.distance')),
      el('th', {}, t('dispatch.col.time')), el('th', {}, t('dispatch.col.status')), el('th', {}, t(shelters ? 'dispatch.col.capacity' : 'dispatch.col.headcount')),
      shelters ? null : el('th', {}, ''));
    const body = el('tbody');
    r.candidates.forEach((c, i) => {
      const a = c.attributes || {};
      const travel = c.travel && c.travel.reachable ? c.travel.seconds : null;
      const status = assigned.has(c.id) ? 'dispatched' : a.status;
      const size = shelters ? a.capacity_persons : (a.personnel_on_duty ?? a.headcount);
      const tr = el('tr', { class: `cand${c.id === st.selected ? ' selected' : ''}`, 'data-id': c.id, tabindex: '0',
        onclick: (e) => { if (!e.target.closest('button')) this.showRoute(c); },
        onkeydown: (e) => { if (e.key === 'Enter') this.showRoute(c); } },
      el('td', {}, String(i + 1)),
      el('td', { class: 'name' }, c.name, a.team_type ? el('div', { class: 'muted small' }, a.team_type) : null),
      el('td', { class: 'num', 'data-metres': Math.round(c.straight_m) }, km(c.straight_m)),
      el('td', { class: 'num' }, travel == null ? (c.travel ? t('dispatch.unreachableShort') : '—') : minutes(travel)),
      el('td', { 'data-status': status || '' }, status ? (valueLabel('status', status) ?? status) : '—'),
      el('td', { class: 'num' }, size == null ? '—' : num(size)),
      shelters ? null : el('td', {}, assigned.has(c.id)
        ? el('span', { class: 'assigned-tag' }, t('dispatch.isAssigned'))
        : el('button', { type: 'button', class: 'btn small primary assign', 'data-assign': c.id,
          // A team out on another incident, or out of service, is not to be sent.
          disabled: this.st.busy || status === 'dispatched' || status === 'out_of_service',
          title: status === 'dispatched' || status === 'out_of_service' ? (valueLabel('status', status) ?? status) : null,
          onclick: () => this.assign(c) }, t('dispatch.assign'))));
      body.append(tr);
    });
    box.append(el('table', { class: 'cands', id: 'dispatch-candidates' }, el('thead', {}, head), body));
    if (st.route) {
      const rt = st.route;
      let text;
      if (rt.kind === 'loading') text = t('dispatch.loading');
      else if (rt.kind === 'road') text = fill('dispatch.route', { km: km(rt.metres), min: minutes(rt.seconds) }) + (rt.eta != null ? fill('dispatch.eta', { min: minutes(rt.eta) }) : '');
      else text = `${fill('dispatch.straight', { km: km(rt.metres) })} ${rt.note || ''}`;
      box.append(el('p', { class: 'dispatch-route', id: 'dispatch-route', 'data-kind': rt.kind }, text));
    }
    return box;
  }

  renderAround() {
    const box = el('section', { class: 'dispatch-section', id: 'dispatch-around' }, el('h3', { class: 'card-sub' }, t('dispatch.around')));
    if (this.st.aroundError) {
      box.append(el('p', { class: 'dispatch-error' }, this.st.aroundError));
      return box;
    }
    const a = this.st.around;
    if (!a) {
      box.append(el('p', { class: 'muted' }, t('dispatch.loading')));
      return box;
    }
    for (const ring of a.rings || []) {
      const rows = [];
      const cats = Object.entries(ring.objects || {}).filter(([, c]) => c && c.total > 0);
      for (const [cat, c] of cats) {
        rows.push(el('tr', { 'data-category': cat }, el('th', { scope: 'row' }, layerLabel(cat)),
          el('td', {}, num(c.total), ' ', ['red', 'orange', 'yellow', 'blue'].filter((g) => c[g] > 0).map((g) =>
            el('span', { class: 'mini-badge', style: { background: GRADE_COLOURS[g], color: g === 'yellow' ? '#1A1A1A' : '#FFFFFF' }, title: g }, num(c[g]))))));
      }
      const hz = ring.hidden_hazards || { total: 0, major: 0 };
      rows.push(el('tr', {}, el('th', { scope: 'row' }, t('dispatch.hazards')), el('td', {}, fill('dispatch.hazardCount', { total: num(hz.total), major: num(hz.major) }))));
      const sh = ring.shelters || { count: 0, capacity_persons: 0 };
      rows.push(el('tr', {}, el('th', { scope: 'row' }, layerLabel('shelters')), el('td', {}, fill('dispatch.shelterCount', { n: num(sh.count), cap: num(sh.capacity_persons) }))));
      rows.push(el('tr', {}, el('th', { scope: 'row' }, t('dispatch.population')), el('td', {}, ring.population_estimate == null ? t('dispatch.unknown')
        : fill('dispatch.people', { n: num(Math.round(ring.population_estimate)) }))));
      const title = ring.radius_m == null ? t('dispatch.polygon') : fill('dispatch.within', { km: num(ring.radius_m / 1000) });
      box.append(el('table', { class: 'kv ring', 'data-radius': ring.radius_m ?? '' }, el('caption', {}, title), el('tbody', {}, rows)));
    }
    return box;
  }
}

function ringBounds(inc) {
  const r = RING_RADII[RING_RADII.length - 1];
  const dLat = (r / EARTH_M) * (180 / Math.PI);
  const dLon = dLat / Math.cos((inc.lat * Math.PI) / 180);
  return [[inc.lon - dLon, inc.lat - dLat], [inc.lon + dLon, inc.lat + dLat]];
}

/**
 * Records a failure for the console and the test hook, except the
 * refusals a user is told of (4xx: bad input, a double booking).
 */
function report(err, what) {
  if (!err) return;
  if (err.status >= 400 && err.status < 500) console.warn('[riskmap]', what, err.message);
  else logError(`${what} ${err.message || err}`);
}

function errorKey(err) {
  switch (err && err.status) {
    case 401: return 'dispatch.err.login';
    case 403: return 'dispatch.err.forbidden';
    case 404: return 'dispatch.err.notFound';
    case 409: return 'dispatch.err.conflict';
    case 400: case 422: return 'dispatch.err.bad';
    default: return 'dispatch.err.failed';
  }
}

/** An incident kind's name (the code itself when it has none). */
export function kindLabel(code) {
  const k = `kind.${code}`;
  const s = t(k);
  return s === k ? code : s;
}

/** An incident level's name (Ⅱ级（重大）…). */
export function levelLabel(l) {
  const k = `level.${l}`;
  const s = t(k);
  return s === k ? l : s;
}

function levelBadge(level) {
  return el('span', { class: 'level-badge', 'data-level': level, style: { background: LEVEL_COLOURS[level] || '#9E9E9E', color: level === 'III' ? '#1A1A1A' : '#FFFFFF' } },
    LEVEL_NUMERALS[level] || level);
}
