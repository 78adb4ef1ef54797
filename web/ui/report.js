// Report maps (报告图 / 四色图): the current view, or a county, as a
// print-ready PNG or PDF on A4 or A3, landscape or portrait, with title,
// legend, scale bar, north arrow, date, data source and the four-colour
// statistics table (objects per category and grade).
//
// Everything is drawn in the browser: a hidden MapLibre map of the page's
// own style, sized for the paper at DPI, renders the map; a 2D canvas puts
// the sheet together; a PDF is that canvas as a page-filling image (jsPDF
// has no CJK font, so the Chinese is in the image; the PDF's metadata
// carries the title). The counts come from api/v1/stats/regions: the
// county's row, or the objects inside the printed map's bounds (the grid
// cells of that box, summed).
//
// Test hook (used by the Go headless-Chromium test; read only):
//   window.__lastReport  the last export: {seq, type, blob, width, height,
//                        dpi, paper, orientation, title, extent, table,
//                        layout}, or {seq, error} when it failed.

import * as maplibregl from 'maplibre-gl';
import { t, gradeLabel, layerLabel, lang } from './i18n.js';
import { fetchJSON } from './api.js';
import { attributionText, CJK_FONTS, GRADE_COLOURS } from './style.js';

/** Dots per inch of the sheet: 150 is print quality for a report's map. */
export const DPI = 150;

/** Paper sizes in millimetres, portrait (width × height). */
export const PAPERS = { a4: [210, 297], a3: [297, 420] };

const GRADE_ORDER = ['red', 'orange', 'yellow', 'blue', 'unassessed'];
/** The table's rows, top to bottom (the server's order of categories, geo.AllCategories). */
const TABLE_CATEGORIES = ['enterprises', 'bridges', 'black_spots', 'rescue_resources', 'shelters'];

const INK = '#1A1A1A';
const MUTED = '#555555';
const RULE = '#8C8C8C';

let ctx = null; // {map, style, title, config, recordError}
let counties = null; // [{code, name, feature}]
/** The colour that mutes the neighbours on a county's sheet (the dark theme's background). */
const THEME_VEIL = '#0E1A2B';
let seq = 0;
let busy = false;
let titleEdited = false;

const form = () => document.getElementById('report');
const button = () => document.getElementById('report-toggle');

// ---------------------------------------------------------------- dialog

/**
 * Gives the page the 导出 button and its dialog.
 * @param {maplibregl.Map} map the page's map
 * @param {{style: () => object, title: () => string, config: () => object, recordError: (s: string) => void}} opts
 */
export function enable(map, opts) {
  ctx = { map, ...opts };
  const f = form();
  const b = button();
  b.hidden = false;
  b.addEventListener('click', () => toggle());
  f.addEventListener('submit', (ev) => {
    ev.preventDefault();
    run();
  });
  document.getElementById('report-close').addEventListener('click', () => toggle(false));
  f.elements.title.addEventListener('input', () => { titleEdited = true; });
  const retitle = () => { if (!titleEdited) f.elements.title.value = defaultTitle(); };
  for (const r of f.querySelectorAll('input[name="extent"]')) r.addEventListener('change', () => { syncExtent(); retitle(); });
  f.elements.county.addEventListener('change', () => {
    if (f.elements.county.value) f.querySelector('input[name="extent"][value="county"]').checked = true;
    retitle();
  });
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && !f.hidden) toggle(false); });
}

function toggle(open = form().hidden) {
  const f = form();
  f.hidden = !open;
  button().setAttribute('aria-expanded', String(open));
  if (!open) return;
  rerender();
  loadCounties().catch((err) => {
    setStatus('error', t('report.err.counties'), err.message);
    ctx.recordError(`report counties ${err.message}`);
  });
  f.elements.title.focus();
}

function syncExtent() {
  const f = form();
  f.elements.county.disabled = f.elements.extent.value !== 'county';
}

/** Redraws what depends on the language: the default title, the counties' names. */
export function rerender() {
  if (!ctx) return;
  const f = form();
  if (!titleEdited) f.elements.title.value = defaultTitle();
  fillCounties();
  syncExtent();
}

/** The sheet's title unless edited: the county's name for a county's sheet, else the map's title. */
function defaultTitle() {
  const f = form();
  const code = f.elements.extent.value === 'county' ? f.elements.county.value : '';
  const c = code && (counties || []).find((x) => x.code === code);
  return `${c ? c.name : ctx.title()}${t('report.titleSuffix')}`;
}

async function loadCounties() {
  if (counties) return counties;
  const fc = await fetchJSON('ogc/collections/counties/items?limit=1000', { headers: { Accept: 'application/geo+json, application/json' } });
  counties = (fc.features || [])
    .map((f) => ({ code: String(f.properties.adcode ?? f.id), name: f.properties.name || String(f.id), feature: f }))
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  fillCounties();
  return counties;
}

function fillCounties() {
  const sel = form().elements.county;
  const keep = sel.value;
  sel.replaceChildren();
  const none = document.createElement('option');
  none.value = '';
  none.textContent = counties ? t('report.county.choose') : t('report.county.loading');
  sel.append(none);
  for (const c of counties || []) {
    const o = document.createElement('option');
    o.value = c.code;
    o.textContent = `${c.name}${paren(c.code)}`;
    sel.append(o);
  }
  if (keep && (counties || []).some((c) => c.code === keep)) sel.value = keep;
}

function setStatus(kind, text, detail = '') {
  const p = document.getElementById('report-status');
  p.dataset.kind = kind;
  p.textContent = text;
  p.title = detail;
  p.hidden = !text;
}

/** Reads the dialog and exports; the result is downloaded. */
async function run() {
  if (busy) return;
  const f = form();
  const opts = {
    extent: f.elements.extent.value,
    county: f.elements.county.value,
    paper: f.elements.paper.value,
    orientation: f.elements.orientation.value,
    title: f.elements.title.value.trim() || defaultTitle(),
    format: f.elements.format.value,
  };
  if (opts.extent === 'county' && !opts.county) {
    setStatus('error', t('report.err.noCounty'));
    return;
  }
  busy = true;
  const submit = f.querySelector('button[type="submit"]');
  submit.disabled = true;
  setStatus('busy', t('report.busy'));
  const my = ++seq;
  try {
    const out = await exportReport(opts);
    download(out.blob, out.filename);
    window.__lastReport = { seq: my, ...out };
    setStatus('done', t('report.done').replace('{file}', out.filename));
  } catch (err) {
    const msg = err && err.message ? err.message : String(err);
    window.__lastReport = { seq: my, error: msg };
    ctx.recordError(`report ${msg}`);
    setStatus('error', t('report.err.failed'), msg);
  } finally {
    busy = false;
    submit.disabled = false;
  }
}

function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// ---------------------------------------------------------------- export

/**
 * Renders a report map.
 * @param {{extent: 'view'|'county', county?: string, paper: 'a4'|'a3', orientation: 'landscape'|'portrait', title: string, format: 'png'|'pdf'}} opts
 * @returns {Promise<{type, blob, filename, width, height, dpi, paper, orientation, title, extent, table, layout}>}
 */
export async function exportReport(opts) {
  if (!ctx) throw new Error('report: not enabled');
  const paper = PAPERS[opts.paper];
  if (!paper) throw new Error(`report: paper ${opts.paper}`);
  const landscape = opts.orientation === 'landscape';
  const [wMM, hMM] = landscape ? [paper[1], paper[0]] : paper;
  const k = DPI / 25.4; // pixels per millimetre
  const W = Math.round(wMM * k);
  const H = Math.round(hMM * k);
  const layout = planLayout(W, H, k, Math.min(wMM, hMM) / 210, landscape);

  let extent;
  let outline = null;
  if (opts.extent === 'county') {
    const list = await loadCounties();
    const c = list.find((x) => x.code === opts.county);
    if (!c) throw new Error(`report: no county ${opts.county}`);
    const b = geometryBounds(c.feature.geometry);
    if (!b) throw new Error(`report: county ${c.code} has no geometry`);
    extent = { kind: 'county', code: c.code, name: c.name, bounds: b };
    outline = c.feature;
  } else {
    const b = ctx.map.getBounds();
    extent = { kind: 'view', name: t('report.extent.view'), bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()] };
  }

  const shot = await renderMap(layout.map, extent, outline);
  extent.bbox = shot.bbox; // what the sheet's map shows
  const table = await statistics(extent);

  const canvas = document.createElement('canvas');
  canvas.width = W;
  canvas.height = H;
  const g = canvas.getContext('2d');
  compose(g, layout, { ...opts, extent, table, shot, k });

  const date = reportDate();
  const base = safeName(`${opts.title}-${date.compact}`);
  let blob;
  let type;
  if (opts.format === 'pdf') {
    type = 'application/pdf';
    blob = await toPDF(canvas, opts, wMM, hMM);
  } else {
    type = 'image/png';
    blob = await new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('canvas.toBlob failed'))), 'image/png'));
  }
  return {
    type, blob, filename: `${base}.${opts.format === 'pdf' ? 'pdf' : 'png'}`,
    width: W, height: H, dpi: DPI, paper: opts.paper, orientation: opts.orientation, title: opts.title,
    extent: { kind: extent.kind, code: extent.code || null, name: extent.name, bbox: extent.bbox },
    table, layout,
    mapPixels: { width: shot.canvasWidth, height: shot.canvasHeight, pixelRatio: shot.pixelRatio, metresPerPixel: shot.metresPerPixel },
  };
}

/** Bounds [w, s, e, n] of a GeoJSON geometry. */
function geometryBounds(geom) {
  let b = null;
  const walk = (c) => {
    if (typeof c[0] === 'number') {
      if (!b) b = [c[0], c[1], c[0], c[1]];
      else b = [Math.min(b[0], c[0]), Math.min(b[1], c[1]), Math.max(b[2], c[0]), Math.max(b[3], c[1])];
      return;
    }
    for (const x of c) walk(x);
  };
  if (geom && geom.coordinates) walk(geom.coordinates);
  else if (geom && geom.geometries) for (const x of geom.geometries) if (x.coordinates) walk(x.coordinates);
  return b;
}

/**
 * Where everything goes on a sheet of W × H pixels (k pixels per mm; s
 * scales type and margins with the paper: 1 on A4, √2 on A3). Landscape
 * has a side column for the legend and table, portrait a band below the map.
 */
function planLayout(W, H, k, s, landscape) {
  const mm = (x) => Math.round(x * k * s);
  const M = mm(10);
  const gap = mm(5);
  const title = [M, M, W - 2 * M, mm(12)];
  const sub = [M, title[1] + title[3], W - 2 * M, mm(6)];
  const top = sub[1] + sub[3] + mm(3);
  const footH = mm(6);
  const foot = [M, H - M - footH, W - 2 * M, footH];
  const bottom = foot[1] - mm(2);
  let map;
  let legend;
  let table;
  if (landscape) {
    const side = mm(80);
    map = [M, top, W - 2 * M - gap - side, bottom - top];
    const x = map[0] + map[2] + gap;
    legend = [x, top, side, mm(44)];
    table = [x, legend[1] + legend[3] + gap, side, mm(62)];
  } else {
    const band = mm(66);
    map = [M, top, W - 2 * M, bottom - top - gap - band];
    const y = map[1] + map[3] + gap;
    const lw = mm(48);
    legend = [M, y, lw, band];
    table = [M + lw + gap, y, W - 2 * M - lw - gap, band];
  }
  // The legend's swatches (their rectangles are part of the test hook).
  const swatches = {};
  const rowH = mm(6.4);
  GRADE_ORDER.forEach((gr, i) => {
    swatches[gr] = [legend[0] + mm(3), legend[1] + mm(9) + i * rowH, mm(7), mm(4.5)];
  });
  return { scale: s, pxPerMM: k, title, sub, map, legend, table, foot, swatches };
}

// ---------------------------------------------------------------- the map

/** Ring r wound clockwise (a hole in a counter-clockwise ring), whichever way the data winds it. */
function clockwise(r) {
  let area = 0;
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) area += (r[j][0] - r[i][0]) * (r[j][1] + r[i][1]);
  return area > 0 ? [...r].reverse() : r; // the sum as written is positive for a counter-clockwise ring
}

/**
 * Renders the page's style on a hidden map the size of the sheet's map
 * frame, fitted to the extent, and waits until every tile is drawn.
 * Returns the map's canvas pixels (copied) and what the scale bar needs.
 */
async function renderMap(frame, extent, outline) {
  const pr = DPI / 96; // CSS pixels are 1/96 in: symbols keep their printed size
  const cssW = Math.round(frame[2] / pr);
  const cssH = Math.round(frame[3] / pr);
  const holder = document.createElement('div');
  holder.setAttribute('aria-hidden', 'true');
  holder.className = 'report-offscreen';
  Object.assign(holder.style, { position: 'fixed', left: '-100000px', top: '0', width: `${cssW}px`, height: `${cssH}px`, pointerEvents: 'none' });
  document.body.append(holder);

  const style = ctx.style();
  if (outline) {
    // The chosen county's border, above the areas and below the points.
    style.sources['report-extent'] = { type: 'geojson', data: { type: 'Feature', geometry: outline.geometry, properties: {} } };
    let at = style.layers.findIndex((l) => l.id.startsWith('pt-'));
    if (at < 0) at = style.layers.length;
    style.layers.splice(at, 0,
      { id: 'report-extent-casing', type: 'line', source: 'report-extent', layout: { 'line-join': 'round' }, paint: { 'line-color': '#0E1A2B', 'line-width': 6 } },
      { id: 'report-extent-line', type: 'line', source: 'report-extent', layout: { 'line-join': 'round' }, paint: { 'line-color': '#FFFFFF', 'line-width': 3 } });
    // The neighbouring counties muted: a veil over all but the county, above
    // everything else, so that the sheet is about the county alone.
    const rings = outline.geometry.type === 'MultiPolygon' ? outline.geometry.coordinates.map((p) => p[0]) : [outline.geometry.coordinates[0]];
    style.sources['report-veil'] = { type: 'geojson', data: { type: 'Feature', properties: {},
      geometry: { type: 'Polygon', coordinates: [[[-180, -85], [180, -85], [180, 85], [-180, 85], [-180, -85]], ...rings.map(clockwise)] } } };
    style.layers.push({ id: 'report-veil', type: 'fill', source: 'report-veil', paint: { 'fill-color': THEME_VEIL, 'fill-opacity': 0.72 } });
  }
  const [w, s, e, n] = extent.bounds;
  const pad = outline ? Math.round(Math.min(cssW, cssH) * 0.05) : 0;
  const errors = [];
  let m;
  try {
    m = new maplibregl.Map({
      container: holder,
      style,
      bounds: [[w, s], [e, n]],
      fitBoundsOptions: { padding: pad },
      pixelRatio: pr,
      interactive: false,
      attributionControl: false,
      fadeDuration: 0,
      localIdeographFontFamily: CJK_FONTS,
      canvasContextAttributes: { preserveDrawingBuffer: true, antialias: true },
      maxZoom: 18,
    });
    m.on('error', (ev) => errors.push(ev && ev.error && ev.error.message ? ev.error.message : String(ev && ev.error)));
    await rendered(m, 120000);
    if (errors.length > 0) ctx.recordError(`report map: ${errors.join('; ')}`);
    const src = m.getCanvas();
    // MapLibre may have drawn at a lower pixel ratio (maxCanvasSize): the
    // copy is the canvas as it is, and compose scales it into the frame.
    const copy = document.createElement('canvas');
    copy.width = src.width;
    copy.height = src.height;
    copy.getContext('2d').drawImage(src, 0, 0);
    // Metres per CSS pixel at the centre, measured across the middle.
    const cx = src.clientWidth / 2;
    const cy = src.clientHeight / 2;
    const a = m.unproject([cx - 50, cy]);
    const b = m.unproject([cx + 50, cy]);
    const metresPerCSS = metresBetween([a.lng, a.lat], [b.lng, b.lat]) / 100;
    const bb = m.getBounds();
    return {
      image: copy,
      canvasWidth: src.width,
      canvasHeight: src.height,
      pixelRatio: m.getPixelRatio(),
      // on the sheet: the frame is frame[2] pixels across cssW CSS pixels
      metresPerPixel: (metresPerCSS * src.clientWidth) / frame[2],
      bbox: [bb.getWest(), bb.getSouth(), bb.getEast(), bb.getNorth()].map((x) => Math.round(x * 1e6) / 1e6),
      zoom: m.getZoom(),
    };
  } finally {
    if (m) m.remove();
    holder.remove();
  }
}

/** Resolves once the map is idle with its style and every tile loaded. */
function rendered(m, ms) {
  return new Promise((resolve, reject) => {
    let timer = 0;
    const check = () => {
      if (m.isStyleLoaded() && m.areTilesLoaded()) {
        clearTimeout(timer);
        m.off('idle', check);
        resolve();
      }
    };
    timer = setTimeout(() => { m.off('idle', check); reject(new Error('the report map did not finish drawing')); }, ms);
    m.on('idle', check);
  });
}

const EARTH_M = 6371008.8;
function metresBetween(p, q) {
  const rad = (d) => (d * Math.PI) / 180;
  const dLat = rad(q[1] - p[1]);
  const dLon = rad(q[0] - p[0]);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(p[1])) * Math.cos(rad(q[1])) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_M * Math.asin(Math.sqrt(h));
}

// ---------------------------------------------------------------- the counts

/**
 * The four-colour table: per category the objects of each grade, and
 * the totals. A county's row of stats/regions?level=county; for the view,
 * the grid cells of stats/regions?level=grid5k&bbox= summed (the bbox
 * keeps the objects inside it, so the sum is the objects on the map).
 */
async function statistics(extent) {
  const rows = Object.fromEntries(TABLE_CATEGORIES.map((c) => [c, Object.fromEntries(GRADE_ORDER.map((g) => [g, 0]))]));
  let regions;
  if (extent.kind === 'county') {
    const r = await fetchJSON('api/v1/stats/regions?level=county');
    regions = (r.regions || []).filter((x) => x.code === extent.code);
    if (regions.length === 0) throw new Error(`stats/regions has no county ${extent.code}`);
  } else {
    const [w, s, e, n] = extent.bbox.map((x, i) => Math.max(i % 2 ? -90 : -180, Math.min(i % 2 ? 90 : 180, x)));
    const r = await fetchJSON(`api/v1/stats/regions?level=grid5k&bbox=${w},${s},${e},${n}`);
    regions = r.regions || [];
  }
  for (const reg of regions) {
    for (const [cat, counts] of Object.entries(reg.by_category || {})) {
      if (!rows[cat]) rows[cat] = Object.fromEntries(GRADE_ORDER.map((g) => [g, 0]));
      for (const [g, v] of Object.entries(counts)) {
        const key = GRADE_ORDER.includes(g) ? g : 'unassessed';
        rows[cat][key] += v;
      }
    }
  }
  const out = Object.entries(rows).map(([category, c]) => ({ category, ...c, total: GRADE_ORDER.reduce((a, g) => a + c[g], 0) }));
  const total = { category: 'total', ...Object.fromEntries(GRADE_ORDER.map((g) => [g, out.reduce((a, r) => a + r[g], 0)])) };
  total.total = GRADE_ORDER.reduce((a, g) => a + total[g], 0);
  return { rows: out, total };
}

// ---------------------------------------------------------------- the sheet

function font(px, weight = 'normal') { return `${weight} ${Math.max(1, Math.round(px))}px ${CJK_FONTS}`; }

/** Draws text, shrunk until it fits maxW. */
function fitText(g, text, x, y, maxW, px, weight = 'normal') {
  let size = px;
  g.font = font(size, weight);
  while (size > 6 && g.measureText(text).width > maxW) {
    size *= 0.92;
    g.font = font(size, weight);
  }
  g.fillText(text, x, y);
}

/** Today in Asia/Shanghai: its parts, the report's wording and YYYYMMDD. */
function reportDate(now = new Date()) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'numeric', day: 'numeric' })
    .formatToParts(now).filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));
  const { year: y, month: mo, day: d } = parts;
  const text = lang() === 'zh' ? `${y}年${mo}月${d}日`
    : new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric' }).format(now);
  return { text, compact: `${y}${String(mo).padStart(2, '0')}${String(d).padStart(2, '0')}` };
}

/** A parenthesis in the report's language. */
function paren(s) { return lang() === 'zh' ? `（${s}）` : ` (${s})`; }

function safeName(s) { return s.replace(/[\\/:*?"<>|\s]+/g, '_').slice(0, 120); }

/** Dark text on the light grades, white on the dark. */
function textOn(grade) { return grade === 'yellow' || grade === 'orange' || grade === 'unassessed' ? INK : '#FFFFFF'; }

function compose(g, L, d) {
  const s = L.scale;
  const mm = (x) => x * L.pxPerMM * s;
  g.fillStyle = '#FFFFFF';
  g.fillRect(0, 0, g.canvas.width, g.canvas.height);
  g.textBaseline = 'middle';

  // Title and the line beneath it: the extent, the date.
  g.fillStyle = INK;
  g.textAlign = 'center';
  fitText(g, d.title, L.title[0] + L.title[2] / 2, L.title[1] + L.title[3] / 2, L.title[2], mm(7.5), 'bold');
  const date = reportDate();
  g.font = font(mm(3.4));
  g.fillStyle = MUTED;
  g.textAlign = 'left';
  const ext = d.extent.kind === 'county' ? `${d.extent.name}${paren(d.extent.code)}` : t('report.extent.view');
  g.fillText(`${t('report.extentLabel')}${ext}`, L.sub[0], L.sub[1] + L.sub[3] / 2);
  g.textAlign = 'right';
  g.fillText(`${t('report.dateLabel')}${date.text}`, L.sub[0] + L.sub[2], L.sub[1] + L.sub[3] / 2);
  g.strokeStyle = INK;
  g.lineWidth = Math.max(1, mm(0.5));
  g.beginPath();
  g.moveTo(L.sub[0], L.sub[1] + L.sub[3] + mm(1));
  g.lineTo(L.sub[0] + L.sub[2], L.sub[1] + L.sub[3] + mm(1));
  g.stroke();

  // The map, scaled into its frame whatever pixel ratio MapLibre used.
  const [fx, fy, fw, fh] = L.map;
  g.drawImage(d.shot.image, 0, 0, d.shot.image.width, d.shot.image.height, fx, fy, fw, fh);
  g.strokeStyle = INK;
  g.lineWidth = Math.max(1, mm(0.35));
  g.strokeRect(fx, fy, fw, fh);
  northArrow(g, fx + fw - mm(12), fy + mm(13), mm(6));
  scaleBar(g, fx + mm(4), fy + fh - mm(4), fw * 0.28, d.shot.metresPerPixel, mm);

  legend(g, L, mm);
  statsTable(g, L.table, d, mm);

  // Data source and maker.
  const cfg = ctx.config() || {};
  const sources = [cfg.basemap && cfg.basemap.attribution, attributionText(lang())].filter(Boolean).join(' · ');
  g.fillStyle = MUTED;
  g.textAlign = 'left';
  fitText(g, `${t('report.sourceLabel')}${sources}`, L.foot[0], L.foot[1] + L.foot[3] / 2, L.foot[2] * 0.8, mm(2.8));
  g.textAlign = 'right';
  g.font = font(mm(2.8));
  g.fillText(t('report.maker'), L.foot[0] + L.foot[2], L.foot[1] + L.foot[3] / 2);
}

/** A north arrow: a split needle in a white disc, 北/N above it. */
function northArrow(g, x, y, r) {
  g.save();
  g.fillStyle = 'rgba(255,255,255,0.9)';
  g.strokeStyle = INK;
  g.lineWidth = Math.max(1, r * 0.06);
  g.beginPath();
  g.arc(x, y, r * 1.55, 0, 2 * Math.PI);
  g.fill();
  g.stroke();
  const tip = y - r * 0.75;
  const tail = y + r * 1.1;
  g.beginPath();
  g.moveTo(x, tip); g.lineTo(x - r * 0.5, tail); g.lineTo(x, tail - r * 0.45); g.closePath();
  g.fillStyle = INK;
  g.fill();
  g.beginPath();
  g.moveTo(x, tip); g.lineTo(x + r * 0.5, tail); g.lineTo(x, tail - r * 0.45); g.closePath();
  g.fillStyle = '#FFFFFF';
  g.fill();
  g.stroke();
  g.fillStyle = INK;
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  g.font = font(r * 0.7, 'bold');
  g.fillText(t('report.north'), x, y - r * 1.05);
  g.restore();
}

/** A scale bar of a round length at most maxW pixels, metresPerPixel on the sheet. */
function scaleBar(g, x, yBottom, maxW, metresPerPixel, mm) {
  const maxM = maxW * metresPerPixel;
  const p = 10 ** Math.floor(Math.log10(maxM));
  const step = [5, 2, 1].map((f) => f * p).find((v) => v <= maxM) || p;
  const len = step / metresPerPixel;
  const label = (m) => (step >= 1000 ? `${m / 1000} km` : `${m} m`);
  const h = mm(1.6);
  const pad = mm(2);
  const boxH = mm(9);
  const boxW = len + pad * 2 + mm(10);
  g.save();
  g.fillStyle = 'rgba(255,255,255,0.9)';
  g.fillRect(x, yBottom - boxH, boxW, boxH);
  const bx = x + pad;
  const by = yBottom - pad - h;
  g.strokeStyle = INK;
  g.lineWidth = Math.max(1, mm(0.25));
  for (let i = 0; i < 4; i += 1) {
    g.fillStyle = i % 2 ? '#FFFFFF' : INK;
    g.fillRect(bx + (len / 4) * i, by, len / 4, h);
  }
  g.strokeRect(bx, by, len, h);
  g.fillStyle = INK;
  g.font = font(mm(2.6));
  g.textBaseline = 'bottom';
  g.textAlign = 'center';
  g.fillText('0', bx, by - mm(0.6));
  g.fillText(label(step / 2), bx + len / 2, by - mm(0.6));
  g.fillText(label(step), bx + len, by - mm(0.6));
  g.restore();
}

function legend(g, L, mm) {
  const [x, y, w] = L.legend;
  g.save();
  g.fillStyle = INK;
  g.textAlign = 'left';
  g.textBaseline = 'middle';
  g.font = font(mm(4), 'bold');
  g.fillText(t('report.legend'), x, y + mm(3.5));
  for (const gr of GRADE_ORDER) {
    const [sx, sy, sw, sh] = L.swatches[gr];
    g.fillStyle = GRADE_COLOURS[gr];
    g.fillRect(sx, sy, sw, sh);
    g.strokeStyle = RULE;
    g.lineWidth = 1;
    g.strokeRect(sx + 0.5, sy + 0.5, sw - 1, sh - 1);
    g.fillStyle = INK;
    fitText(g, gradeLabel(gr), sx + sw + mm(3), sy + sh / 2, x + w - (sx + sw + mm(3)), mm(3.4));
  }
  g.restore();
}

function statsTable(g, box, d, mm) {
  const [x, y, w] = box;
  const { rows, total } = d.table;
  g.save();
  g.textBaseline = 'middle';
  g.fillStyle = INK;
  g.textAlign = 'left';
  const name = d.extent.kind === 'county' ? d.extent.name : t('report.extent.view');
  fitText(g, `${t('report.table')}${paren(name)}`, x, y + mm(3.5), w, mm(4), 'bold');
  const top = y + mm(8);
  const rowH = mm(6);
  const firstW = w * 0.3;
  const colW = (w - firstW) / (GRADE_ORDER.length + 1);
  const cols = [...GRADE_ORDER, 'total'];
  // Header: the grades in their colours.
  g.fillStyle = '#F0F0F0';
  g.fillRect(x, top, firstW, rowH);
  g.fillStyle = INK;
  fitText(g, t('report.col.category'), x + mm(1.2), top + rowH / 2, firstW - mm(2.4), mm(3), 'bold');
  cols.forEach((c, i) => {
    const cx = x + firstW + i * colW;
    g.fillStyle = c === 'total' ? '#F0F0F0' : GRADE_COLOURS[c];
    g.fillRect(cx, top, colW, rowH);
    g.fillStyle = c === 'total' ? INK : textOn(c);
    g.textAlign = 'center';
    fitText(g, t(`report.g.${c}`), cx + colW / 2, top + rowH / 2, colW - mm(1.2), mm(2.9), 'bold');
    g.textAlign = 'left';
  });
  const all = [...rows, total];
  all.forEach((r, j) => {
    const ry = top + rowH * (j + 1);
    const isTotal = r.category === 'total';
    if (isTotal) {
      g.fillStyle = '#F0F0F0';
      g.fillRect(x, ry, w, rowH);
    }
    g.fillStyle = INK;
    g.textAlign = 'left';
    fitText(g, isTotal ? t('report.total') : layerLabel(r.category), x + mm(1.2), ry + rowH / 2, firstW - mm(2.4), mm(3), isTotal ? 'bold' : 'normal');
    g.textAlign = 'right';
    cols.forEach((c, i) => {
      const cx = x + firstW + (i + 1) * colW - mm(1.5);
      g.font = font(mm(3), isTotal || c === 'total' ? 'bold' : 'normal');
      g.fillText(String(r[c]), cx, ry + rowH / 2);
    });
  });
  // Rules.
  g.strokeStyle = RULE;
  g.lineWidth = Math.max(1, mm(0.2));
  const bottom = top + rowH * (all.length + 1);
  for (let j = 0; j <= all.length + 1; j += 1) {
    g.beginPath();
    g.moveTo(x, top + rowH * j);
    g.lineTo(x + w, top + rowH * j);
    g.stroke();
  }
  g.strokeStyle = INK;
  g.strokeRect(x, top, w, bottom - top);
  g.fillStyle = MUTED;
  g.textAlign = 'left';
  fitText(g, t(d.extent.kind === 'county' ? 'report.note.county' : 'report.note.view'), x, bottom + mm(3.5), w, mm(2.6));
  g.restore();
}

// ---------------------------------------------------------------- PDF

let jspdfLoading = null;

/** Loads jsPDF's classic-script build (it defines window.jspdf) on first use. */
function loadJsPDF() {
  if (window.jspdf) return Promise.resolve(window.jspdf);
  if (!jspdfLoading) {
    jspdfLoading = new Promise((resolve, reject) => {
      const el = document.createElement('script');
      el.src = 'vendor/jspdf/jspdf.umd.min.js';
      el.onload = () => (window.jspdf ? resolve(window.jspdf) : reject(new Error('jsPDF did not load')));
      el.onerror = () => { jspdfLoading = null; el.remove(); reject(new Error('jsPDF could not be fetched')); };
      document.head.append(el);
    });
  }
  return jspdfLoading;
}

/**
 * A PDF text string as UTF-16BE with its byte-order mark, one byte per
 * char: jsPDF writes info strings as they are, and a PDF reader takes
 * FE FF as the sign of UTF-16 (the title is Chinese).
 */
function pdfText(s) {
  let out = '\u00FE\u00FF';
  for (let i = 0; i < s.length; i += 1) {
    const c = s.charCodeAt(i);
    out += String.fromCharCode(c >> 8, c & 0xff);
  }
  return out;
}

async function toPDF(canvas, opts, wMM, hMM) {
  const { jsPDF } = await loadJsPDF();
  const doc = new jsPDF({ orientation: opts.orientation, unit: 'mm', format: opts.paper, compress: true });
  doc.addImage(canvas, 'PNG', 0, 0, wMM, hMM, undefined, 'FAST');
  doc.setProperties({ title: pdfText(opts.title), subject: pdfText(t('report.subject')), creator: 'riskmap' });
  return doc.output('blob');
}
