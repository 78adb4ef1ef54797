// The planner's zone editor (风险区划编辑): draw hazard zones on the map
// with terra-draw, edit their vertices, undo, grade them in a form,
// save (POST, or PUT with If-Match: another planner's earlier save is a
// conflict shown, never overwritten silently), see the server's
// geometry problems with where they are and mend them with consent,
// delete, browse and restore versions, analyse the selected zone, and
// import zones from a GeoJSON file.
//
// Built with DOM calls and textContent only. Test hook: window.__zones
// is the editor's state (read only).

import { TerraDraw, TerraDrawLineStringMode, TerraDrawPolygonMode, TerraDrawSelectMode } from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';
import { t as tr, gradeLabel, layerLabel } from './i18n.js';
import { fetchJSON, inView, send } from './api.js';
import { GRADE_COLOURS } from './style.js';
import { el } from './dom.js';

const HAZARD_TYPES = ['flood', 'waterlogging', 'landslide', 'debris_flow', 'collapse', 'ground_subsidence', 'geological_other',
  'forest_fire', 'typhoon', 'chemical', 'earthquake', 'other'];
const ZONE_KINDS = ['risk_zone', 'prevention_zone', 'danger_area', 'evacuation_area', 'protection_distance'];
const GRADES = ['red', 'orange', 'yellow', 'blue'];
const CATEGORIES = ['enterprises', 'bridges', 'black_spots', 'rescue_resources', 'shelters'];

/** A UI string with its {placeholders} filled in. */
function t(key, params) {
  let out = tr(key);
  for (const [k, v] of Object.entries(params || {})) out = out.split(`{${k}}`).join(String(v));
  return out;
}

let editor = null;

/** Shows the 区划 button and editor to a planner or an admin. */
export function enable(map, who, recordError) {
  if (editor) return;
  editor = new Editor(map, who, recordError);
}

/** The map's click, offered to the editor first; true when it took it. */
export function consumeClick(e) { return editor ? editor.click(e) : false; }

/** Redraws the editor in the current language. */
export function rerender() { if (editor) editor.render(); }

/** The zones changed on the server (event stream): refresh the analysis. */
export function zonesChanged() { if (editor) editor.refreshAnalysis(); }

const blankForm = () => ({ name: '', hazard_type: 'flood', zone_kind: 'risk_zone', grade: 'orange', description: '',
  season_from: '', season_to: '', valid_from: '', valid_to: '', source: 'planner' });

class Editor {
  constructor(map, who, recordError) {
    this.map = map;
    this.who = who;
    this.recordError = recordError || (() => {});
    this.root = document.getElementById('zones');
    this.button = document.getElementById('zones-toggle');
    this.st = {
      open: false,
      mode: 'idle', // idle | drawing | editing
      zone: null, // the zone being edited, as the server last sent it (Feature)
      version: 0, // its version (ETag)
      form: blankForm(),
      formError: '',
      problems: null, // the server's geometry problems of the last save
      repairable: false,
      conflict: null, // {version, current} after a 409
      analysis: null,
      versions: null,
      message: '',
      error: '',
      busy: false,
      undo: 0, // draft snapshots that undo can go back through
    };
    this.history = []; // draft geometries, oldest first
    window.__zones = this.st;
    window.__zoneDraw = () => (this.draw ? this.draw.getSnapshot() : null); // test hook: the draft as terra-draw holds it
    this.button.hidden = false;
    this.button.addEventListener('click', () => this.toggle());
    this.draw = null;
    this.render();
  }

  toggle() {
    this.st.open = !this.st.open;
    this.button.setAttribute('aria-expanded', String(this.st.open));
    if (this.st.open) this.startDraw();
    else this.putDraftAway();
    this.render();
  }

  /**
   * Ends editing the shape: terra-draw's layer goes, so the zone shows in
   * its grade's colour from the tiles (the selected zone stays in the form).
   */
  putDraftAway() {
    if (!this.draw) return;
    this.draw.clear();
    this.setMode('idle');
  }

  // ----- terra-draw

  startDraw() {
    if (this.draw) return;
    this.draw = new TerraDraw({
      adapter: new TerraDrawMapLibreGLAdapter({ map: this.map }),
      modes: [
        new TerraDrawPolygonMode({ styles: { fillColor: '#FFD400', outlineColor: '#FFD400', fillOpacity: 0.25 } }),
        new TerraDrawLineStringMode({ styles: { lineStringColor: '#FF4FD8', lineStringWidth: 3 } }),
        new TerraDrawSelectMode({
          flags: { polygon: { feature: { draggable: false, coordinates: { midpoints: true, draggable: true, deletable: true } } } },
        }),
      ],
    });
    this.draw.start();
    this.draw.on('finish', (id) => {
      if (this.st.mode === 'splitting') {
        const f = this.draw.getSnapshotFeature(id);
        this.draw.removeFeatures([id]);
        if (f && f.geometry.type === 'LineString') this.split(f.geometry);
        return;
      }
      if (this.st.mode === 'drawing') {
        // One zone at a time: the polygon just closed is the draft.
        this.setMode('editing');
        this.draw.selectFeature(id);
      }
      this.remember();
    });
  }

  setMode(mode) {
    this.st.mode = mode;
    if (!this.draw) return;
    const modes = { drawing: 'polygon', editing: 'select', splitting: 'linestring' };
    this.draw.setMode(modes[mode] || 'static');
  }

  /** The draft's geometry (the one polygon terra-draw holds), or null. */
  draftGeometry() {
    if (!this.draw) return null;
    const polys = this.draw.getSnapshot().filter((f) => f.geometry.type === 'Polygon' && !f.properties.currentlyDrawing);
    if (polys.length === 0) return null;
    if (polys.length === 1) return polys[0].geometry;
    return { type: 'MultiPolygon', coordinates: polys.map((f) => f.geometry.coordinates) };
  }

  remember() {
    const g = this.draftGeometry();
    if (!g) return;
    const last = this.history[this.history.length - 1];
    const s = JSON.stringify(g);
    if (last !== s) this.history.push(s);
    this.st.undo = Math.max(0, this.history.length - 1);
    this.render();
  }

  undo() {
    if (this.history.length < 2) return;
    this.history.pop();
    this.loadDraft(JSON.parse(this.history[this.history.length - 1]), false);
    this.st.undo = Math.max(0, this.history.length - 1);
    this.render();
  }

  /** Puts geometry g (Polygon or MultiPolygon) into terra-draw to edit. */
  loadDraft(g, reset = true) {
    this.startDraw();
    this.draw.clear();
    const polys = g.type === 'MultiPolygon' ? g.coordinates : [g.coordinates];
    // terra-draw takes 9 decimals at most (stored zones have more after
    // clipping, snapping or imports) and no holes.
    const round = (c) => c.map((ring) => ring.map(([x, y]) => [Math.round(x * 1e9) / 1e9, Math.round(y * 1e9) / 1e9]));
    const res = this.draw.addFeatures(polys.map((c) => ({ type: 'Feature', geometry: { type: 'Polygon', coordinates: round(c) }, properties: { mode: 'polygon' } })));
    const bad = res.filter((r) => !r.valid);
    // A part the editor could not take must not vanish on the next save.
    this.st.incomplete = bad.length > 0;
    if (bad.length > 0) this.recordError(`zones: terra-draw refused ${bad.length} polygons: ${bad.map((r) => r.reason).join('; ')}`);
    this.setMode('editing');
    if (reset) this.history = [JSON.stringify(g)];
  }

  // ----- map clicks: a zone of the map picked to edit

  click(e) {
    if (!this.st.open) return false;
    if (this.st.mode === 'drawing' || this.st.mode === 'splitting') return true; // terra-draw's
    if (this.st.mode === 'merging') {
      const hit = this.map.getLayer('zone-fill') ? this.map.queryRenderedFeatures(e.point, { layers: ['zone-fill'] }) : [];
      const other = hit.find((f) => this.st.zone && f.id !== this.st.zone.id);
      if (other) this.merge(other.id, Number(other.properties.version));
      return true;
    }
    if (this.st.mode === 'editing' && this.st.zone === null && this.draftGeometry()) return false;
    const layers = ['zone-fill'].filter((id) => this.map.getLayer(id));
    if (layers.length === 0) return false;
    const hit = this.map.queryRenderedFeatures(e.point, { layers });
    if (hit.length === 0) return false;
    // The open zone's own fill: the click is terra-draw's (select, add a vertex).
    if (this.st.zone && hit.some((f) => f.id === this.st.zone.id)) return true;
    this.open(hit[0].id);
    return true;
  }

  async open(id) {
    try {
      const res = await fetch(inView(`api/v1/zones/${id}`), { headers: { Accept: 'application/geo+json' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const f = await res.json();
      this.select(f, Number(JSON.parse(res.headers.get('ETag') || '0')));
    } catch (err) {
      this.recordError(`zones: open ${id}: ${err.message}`);
      this.st.error = t('zones.loadFailed');
      this.render();
    }
  }

  select(f, version) {
    const p = f.properties || {};
    this.st.zone = f;
    this.st.version = version || p.version;
    this.st.form = { ...blankForm(), ...Object.fromEntries(Object.keys(blankForm()).map((k) => [k, p[k] == null ? '' : String(p[k])])) };
    this.st.problems = null;
    this.st.conflict = null;
    this.st.formError = '';
    this.st.error = '';
    this.st.versions = null;
    this.loadDraft(f.geometry);
    this.refreshAnalysis();
    this.render();
  }

  newZone() {
    this.st.zone = null;
    this.st.version = 0;
    this.st.form = blankForm();
    this.st.problems = null;
    this.st.conflict = null;
    this.st.analysis = null;
    this.st.versions = null;
    this.st.message = '';
    this.st.error = '';
    this.history = [];
    this.st.incomplete = false;
    this.startDraw();
    this.draw.clear();
    this.setMode('drawing');
    this.render();
  }

  // ----- saving

  validate() {
    const f = this.st.form;
    if (!f.name.trim()) return t('zones.need.name');
    if ((f.season_from === '') !== (f.season_to === '')) return t('zones.need.season');
    for (const k of ['season_from', 'season_to']) {
      if (f[k] && !/^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/.test(f[k])) return t('zones.bad.season');
    }
    if (f.valid_from && f.valid_to && f.valid_to < f.valid_from) return t('zones.bad.valid');
    if (!this.draftGeometry() && !this.st.zone) return t('zones.need.geometry');
    if (this.st.incomplete) return t('zones.incomplete');
    return '';
  }

  async save(opts = {}) {
    this.st.formError = this.validate();
    this.st.message = '';
    if (this.st.formError) { this.render(); return; }
    // The shape drawn, or the saved zone's when its shape is not being edited.
    const body = { type: 'Feature', geometry: this.draftGeometry() || this.st.zone.geometry, properties: { ...this.st.form } };
    for (const k of ['season_from', 'season_to', 'valid_from', 'valid_to', 'description']) if (body.properties[k] === '') delete body.properties[k];
    const q = new URLSearchParams();
    if (opts.repair) q.set('repair', 'true');
    if (opts.clip) q.set('clip', 'true');
    const query = q.toString() ? `?${q}` : '';
    const version = opts.version || this.st.version;
    const url = this.st.zone ? `api/v1/zones/${this.st.zone.id}${query}` : `api/v1/zones${query}`;
    this.st.busy = true;
    this.render();
    try {
      const f = await send(this.st.zone ? 'PUT' : 'POST', url, body, this.st.zone ? { 'If-Match': `"${version}"` } : undefined);
      this.st.problems = null;
      this.st.conflict = null;
      this.st.message = (f.properties.repaired || []).length > 0 ? t('zones.savedRepaired', { v: f.properties.version }) : t('zones.saved', { v: f.properties.version });
      this.st.zone = f;
      this.st.version = f.properties.version;
      this.putDraftAway();
      this.refreshAnalysis();
      this.st.versions = null;
    } catch (err) {
      const p = err.problem || {};
      if (err.status === 400 && Array.isArray(p.problems)) {
        this.st.problems = p.problems;
        this.st.repairable = !!p.repairable;
      } else if (err.status === 409 && p.current_version) {
        this.st.conflict = { version: p.current_version, current: p.current };
      } else if (err.status === 400 && p.param) {
        this.st.formError = t('zones.fieldError', { field: fieldLabel(p.param), detail: p.detail || '' });
      } else {
        this.st.error = t('zones.saveFailed', { status: err.status || '' });
        this.recordError(`zones: save ${err.message}`);
      }
    } finally {
      this.st.busy = false;
      this.render();
    }
  }

  repair() {
    const clip = (this.st.problems || []).some((p) => p.code === 'outside_service_area');
    this.save({ repair: true, clip });
  }

  async remove() {
    if (!this.st.zone) return;
    this.st.busy = true;
    try {
      await send('DELETE', `api/v1/zones/${this.st.zone.id}`, undefined, { 'If-Match': `"${this.st.version}"` });
      this.st.message = t('zones.deleted');
      this.st.zone = null;
      this.st.analysis = null;
      this.draw.clear();
      this.setMode('idle');
    } catch (err) {
      const p = err.problem || {};
      if (err.status === 409 && p.current_version) this.st.conflict = { version: p.current_version, current: p.current };
      else { this.st.error = t('zones.saveFailed', { status: err.status || '' }); this.recordError(`zones: delete ${err.message}`); }
    } finally {
      this.st.busy = false;
      this.render();
    }
  }

  /** Cuts the zone along line (GeoJSON LineString). */
  async split(line) {
    const z = this.st.zone;
    this.setMode('editing');
    if (!z) return;
    this.st.busy = true;
    this.render();
    try {
      const out = await send('POST', `api/v1/zones/${z.id}/split`, { line }, { 'If-Match': `"${this.st.version}"` });
      this.select(out.zone, out.zone.properties.version);
      this.st.message = t('zones.splitDone', { n: out.created.length + 1 });
    } catch (err) {
      this.showWriteError(err, 'split');
      if (this.st.zone) this.loadDraft(this.st.zone.geometry);
    } finally {
      this.st.busy = false;
      this.render();
    }
  }

  /** Joins zone id (at version) into the selected zone. */
  async merge(id, version) {
    const z = this.st.zone;
    this.st.mode = 'editing';
    if (!z) return;
    this.st.busy = true;
    this.render();
    try {
      const f = await send('POST', 'api/v1/zones/merge', { zones: [{ id: z.id, version: this.st.version }, { id, version }] });
      this.select(f, f.properties.version);
      this.st.message = t('zones.mergeDone', { id });
    } catch (err) {
      this.showWriteError(err, 'merge');
    } finally {
      this.st.busy = false;
      this.render();
    }
  }

  /** A refused write, told: a conflict, the server's reason, or that it failed. */
  showWriteError(err, what) {
    const p = err.problem || {};
    if (err.status === 409 && p.current_version && p.current && this.st.zone && p.current.id === this.st.zone.id) {
      this.st.conflict = { version: p.current_version, current: p.current };
    } else if ((err.status === 400 || err.status === 409) && p.detail) {
      this.st.error = t('zones.refused', { detail: p.detail });
    } else {
      this.st.error = t('zones.saveFailed', { status: err.status || '' });
      this.recordError(`zones: ${what} ${err.message}`);
    }
  }

  async loadVersions() {
    if (!this.st.zone) return;
    try {
      const v = await fetchJSON(`api/v1/zones/${this.st.zone.id}/versions`);
      this.st.versions = v.versions;
    } catch (err) { this.recordError(`zones: versions ${err.message}`); }
    this.render();
  }

  async restore(from) {
    try {
      const f = await send('POST', `api/v1/zones/${this.st.zone.id}/versions/${from}/restore`, undefined, { 'If-Match': `"${this.st.version}"` });
      this.select(f, f.properties.version);
      this.st.message = t('zones.restored', { from, v: f.properties.version });
      this.loadVersions();
    } catch (err) {
      const p = err.problem || {};
      if (err.status === 409 && p.current_version) this.st.conflict = { version: p.current_version, current: p.current };
      else this.recordError(`zones: restore ${err.message}`);
      this.render();
    }
  }

  async refreshAnalysis() {
    if (!this.st.zone) return;
    const id = this.st.zone.id;
    try {
      const a = await fetchJSON(`api/v1/zones/${id}/analysis`);
      if (this.st.zone && this.st.zone.id === id) this.st.analysis = a;
    } catch (err) {
      if (err.status === 409) this.st.analysis = null; // deleted meanwhile
      else this.recordError(`zones: analysis ${err.message}`);
    }
    this.render();
  }

  async importFile(file) {
    let fc;
    try { fc = JSON.parse(await file.text()); } catch { this.st.error = t('zones.import.notJSON'); this.render(); return; }
    const features = fc && fc.type === 'FeatureCollection' ? fc.features : fc && fc.type === 'Feature' ? [fc] : null;
    if (!features) { this.st.error = t('zones.import.notJSON'); this.render(); return; }
    let ok = 0;
    const failed = [];
    for (const [i, f] of features.entries()) {
      const props = { source: 'import', ...(f.properties || {}) };
      try {
        await send('POST', 'api/v1/zones', { type: 'Feature', geometry: f.geometry, properties: props });
        ok += 1;
      } catch (err) {
        failed.push(`${i + 1}: ${(err.problem && err.problem.detail) || err.status}`);
      }
    }
    this.st.message = t('zones.import.done', { ok, failed: failed.length });
    this.st.error = failed.slice(0, 5).join('\n');
    this.render();
  }

  // ----- rendering

  render() {
    const r = this.root;
    r.hidden = !this.st.open;
    if (!this.st.open) return;
    const s = this.st;
    const field = (key, input) => el('label', { class: 'field' }, el('span', {}, t(`zones.f.${key}`)), input);
    const text = (key, attrs = {}) => el('input', { type: 'text', value: s.form[key], 'data-field': key, ...attrs,
      oninput: (e) => { s.form[key] = e.target.value; } });
    const select = (key, values, label) => {
      const sel = el('select', { 'data-field': key, onchange: (e) => { s.form[key] = e.target.value; } },
        values.map((v) => el('option', { value: v }, label(v))));
      sel.value = s.form[key];
      return sel;
    };
    const btn = (key, onclick, attrs = {}) => el('button', { type: 'button', class: 'bar-button', 'data-action': key, onclick, disabled: s.busy, ...attrs }, t(`zones.${key}`));
    const kids = [
      el('h2', { id: 'zones-title' }, t('zones.heading')),
      el('div', { class: 'zone-tools' },
        btn('new', () => this.newZone()),
        btn('undo', () => this.undo(), { disabled: s.busy || s.undo === 0 }),
        btn('save', () => this.save()),
        s.zone && s.mode === 'idle' ? btn('shape', () => { this.loadDraft(s.zone.geometry); this.render(); }) : null,
        s.zone ? btn('split', () => { this.setMode('splitting'); this.render(); }) : null,
        s.zone ? btn('merge', () => { this.st.mode = 'merging'; this.render(); }) : null,
        s.zone ? btn('delete', () => this.remove()) : null,
        s.zone ? btn('versions', () => this.loadVersions()) : null),
      el('p', { class: 'hint', 'data-mode': s.mode }, t(`zones.hint.${s.mode}`)),
      s.zone ? el('p', { class: 'zone-current' }, t('zones.current', { id: s.zone.id, v: s.version })) : null,
      el('form', { class: 'zone-form', onsubmit: (e) => { e.preventDefault(); this.save(); } },
        field('name', text('name', { required: true, maxlength: 200 })),
        field('hazard_type', select('hazard_type', HAZARD_TYPES, (v) => t(`zones.hazard.${v}`))),
        field('zone_kind', select('zone_kind', ZONE_KINDS, (v) => t(`zones.kind.${v}`))),
        field('grade', select('grade', GRADES, (v) => gradeLabel(v))),
        field('season_from', text('season_from', { placeholder: '04-15' })),
        field('season_to', text('season_to', { placeholder: '10-15' })),
        field('valid_from', text('valid_from', { type: 'date' })),
        field('valid_to', text('valid_to', { type: 'date' })),
        field('source', text('source')),
        field('description', el('textarea', { 'data-field': 'description', rows: 2, oninput: (e) => { s.form.description = e.target.value; } }, s.form.description))),
      s.formError ? el('p', { class: 'zone-error', role: 'alert' }, s.formError) : null,
      s.message ? el('p', { class: 'zone-message', role: 'status' }, s.message) : null,
      s.error ? el('p', { class: 'zone-error', role: 'alert' }, s.error) : null,
    ];
    if (s.problems) {
      kids.push(el('div', { class: 'zone-problems', role: 'alert' },
        el('h3', {}, t('zones.problems')),
        el('ul', {}, s.problems.map((p) => el('li', { 'data-code': p.code },
          `${document.documentElement.lang === 'en' ? p.message : p.message_zh}`,
          p.location ? el('button', { type: 'button', class: 'link', onclick: () => this.map.flyTo({ center: p.location, zoom: Math.max(this.map.getZoom(), 14) }) },
            ` (${p.location[0].toFixed(5)}, ${p.location[1].toFixed(5)})`) : null))),
        s.repairable ? btn('repair', () => this.repair()) : el('p', { class: 'hint' }, t('zones.redraw'))));
    }
    if (s.conflict) {
      kids.push(el('div', { class: 'zone-conflict', role: 'alert' },
        el('p', {}, t('zones.conflict', { v: s.conflict.version })),
        btn('reload', () => { const c = s.conflict.current; s.conflict = null; this.select(c, c.properties.version); }),
        btn('overwrite', () => { const v = s.conflict.version; s.conflict = null; this.save({ version: v }); })));
    }
    if (s.versions) {
      kids.push(el('div', { class: 'zone-versions' }, el('h3', {}, t('zones.versions')),
        el('ul', {}, s.versions.map((v) => el('li', {},
          `v${v.version} ${t(`zones.action.${v.action}`)} ${v.saved_by} ${new Date(v.saved_at).toLocaleString()} `,
          v.version !== s.version && !v.deleted ? el('button', { type: 'button', class: 'link', 'data-restore': v.version, onclick: () => this.restore(v.version) }, t('zones.restore')) : null)))));
    }
    if (s.analysis) kids.push(this.renderAnalysis(s.analysis));
    const input = el('input', { type: 'file', accept: '.geojson,.json,application/geo+json', 'data-action': 'import',
      onchange: (e) => { if (e.target.files[0]) this.importFile(e.target.files[0]); } });
    kids.push(el('label', { class: 'field' }, el('span', {}, t('zones.import')), input));
    r.replaceChildren(...kids.filter((k) => k != null));
  }

  renderAnalysis(a) {
    const ring = a.inside.rings[0];
    const rows = CATEGORIES.filter((c) => ring.objects[c]).map((c) => {
      const n = ring.objects[c];
      return el('tr', { 'data-category': c }, el('th', {}, layerLabel(c)),
        GRADES.map((g) => el('td', { style: `color:${GRADE_COLOURS[g]}` }, String(n[g]))), el('td', {}, String(n.total)));
    });
    const pop = ring.population_estimate;
    return el('div', { class: 'zone-analysis', 'data-version': a.version },
      el('h3', {}, t('zones.analysis')),
      el('p', {}, t('zones.area', { km2: (a.area_m2 / 1e6).toFixed(2) })),
      el('table', {}, el('tr', {}, el('th', {}), GRADES.map((g) => el('th', {}, gradeLabel(g))), el('th', {}, t('zones.total'))), rows),
      el('p', { 'data-stat': 'hazards' }, t('zones.hazards', { n: ring.hidden_hazards.total, major: ring.hidden_hazards.major })),
      el('p', { 'data-stat': 'shelters' }, t('zones.shelters', { n: ring.shelters.count, cap: ring.shelters.capacity_persons })),
      el('p', { 'data-stat': 'reach' }, t('zones.reach', { m: a.reach_m, n: a.shelters_within_reach_total.count, cap: a.shelters_within_reach_total.capacity_persons })),
      pop != null ? el('p', { 'data-stat': 'population' }, t('zones.population', { n: Math.round(pop) })) : null,
      el('p', { 'data-stat': 'overlaps' }, a.overlaps.length === 0 ? t('zones.noOverlaps')
        : t('zones.overlaps', { list: a.overlaps.map((o) => `${o.name}（${Math.round(o.share * 100)}%）`).join('、') })));
  }
}

function fieldLabel(param) {
  const k = String(param).replace(/^properties\./, '');
  const key = `zones.f.${k}`;
  const label = t(key);
  return label === key ? k : label;
}
