// The MapLibre style: offline context background, optional configured raster
// basemap, county tints and outlines, river, roads, labels, then the five
// graded point layers. No glyphs URL and no sprite, so nothing is fetched from
// outside: labels are drawn from local fonts (localIdeographFontFamily).

import { inView } from './api.js';

/** Four-colour grade palette (must match the server's geo.Grade.Colour). */
export const GRADE_COLOURS = {
  red: '#E60012',
  orange: '#FF7F00',
  yellow: '#FFD700',
  blue: '#1E6FD9',
  unassessed: '#9E9E9E',
};

/** Draw order of grades (higher on top). */
const GRADE_RANK = { unassessed: 0, blue: 1, yellow: 2, orange: 3, red: 4 };

/**
 * The point categories, bottom to top in draw order. The fill is the grade;
 * the ring (stroke) colour, ring width and size tell the categories apart.
 * Ring colours avoid the five grade colours.
 */
export const CATEGORIES = [
  { id: 'shelters', stroke: '#2EE6A8', strokeWidth: 2.5, radius: 5 },
  { id: 'rescue_resources', stroke: '#00E5FF', strokeWidth: 2.5, radius: 5 },
  { id: 'bridges', stroke: '#C77DFF', strokeWidth: 2, radius: 5.5 },
  { id: 'black_spots', stroke: '#FF4FD8', strokeWidth: 2, radius: 5 },
  { id: 'enterprises', stroke: '#FFFFFF', strokeWidth: 1.5, radius: 6 },
];

/** The vector tile source's source-layers, in the order of the tile URL. */
export const TILE_LAYERS = ['counties', 'regions_grid', 'context', 'zones', 'enterprises', 'bridges', 'black_spots', 'rescue_resources', 'shelters', 'hidden_hazards'];

export const SOURCE_ID = 'riskmap';

/** Style layer ids of the point layers, by category. */
export function pointLayerId(category) { return `pt-${category}`; }
export const POINT_LAYER_IDS = CATEGORIES.map((c) => pointLayerId(c.id));

/** Style layer ids that the 行政区划 (counties) switch turns on and off. */
export const COUNTY_LAYER_IDS = ['county-fill', 'county-line', 'county-label'];

/** The style layers each switch of the layer list turns on and off. */
export const SWITCH_LAYERS = {
  counties: COUNTY_LAYER_IDS,
  regions_county: ['region-county-fill'],
  regions_grid: ['region-grid-fill', 'region-grid-line'],
  hidden_hazards: ['hazards', 'hazards-overdue'],
  incidents: ['incidents'],
  zones: ['zone-fill', 'zone-line'],
  ...Object.fromEntries(CATEGORIES.map((c) => [c.id, [pointLayerId(c.id)]])),
};

/** Switches that start off: the regional maps replace the points' view. */
export const OFF_BY_DEFAULT = ['regions_county', 'regions_grid'];

/** Style layer ids of the regional maps, which a click reads counts from. */
export const REGION_LAYER_IDS = ['region-grid-fill', 'region-county-fill'];

/** Colours of hidden hazards by level. */
export const HAZARD_COLOURS = { major: '#E60012', general: '#FFB300' };

/** The map data's attribution in language lang ('zh' or 'en'). */
export function attributionText(lang) {
  return lang === 'en'
    ? 'Boundaries: DataV/AMap (demo only) · Places: GeoNames CC BY · River: Natural Earth'
    : '边界：DataV/高德（仅供演示）· 地名：GeoNames CC BY · 河流：Natural Earth';
}

/** Local fonts for CJK labels; the first one installed wins. */
export const CJK_FONTS = "'Microsoft YaHei','PingFang SC','Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei',sans-serif";

const THEME = {
  background: '#0E1A2B',
  countyOutline: '#8FA8C4',
  river: '#3D8FE0',
  road: '#6B7C90',
  seat: '#E6EDF5',
  town: '#9DB0C4',
  labelText: '#F2F5F9',
  townText: '#C9D5E2',
  halo: '#0E1A2B',
};

/** A `match` expression mapping the feature's grade to its colour. */
export function gradeColourExpr(grade = ['get', 'grade']) {
  return ['match', grade,
    'red', GRADE_COLOURS.red,
    'orange', GRADE_COLOURS.orange,
    'yellow', GRADE_COLOURS.yellow,
    'blue', GRADE_COLOURS.blue,
    GRADE_COLOURS.unassessed];
}

function gradeRankExpr() {
  return ['match', ['get', 'grade'],
    'red', GRADE_RANK.red,
    'orange', GRADE_RANK.orange,
    'yellow', GRADE_RANK.yellow,
    'blue', GRADE_RANK.blue,
    GRADE_RANK.unassessed];
}

const kind = (k) => ['==', ['get', 'kind'], k];

/**
 * Turns a path relative to the page into an absolute tile URL template,
 * keeping the {z}/{x}/{y} placeholders that URL() percent-encodes.
 */
export function tileURLTemplate(relative) {
  return new URL(relative, document.baseURI).href
    .replace(/%7B/gi, '{')
    .replace(/%7D/gi, '}');
}

/**
 * The tiles' filter (grade=…&county=…, the tile endpoint's parameters) that
 * the map's filter bar sets; '' for everything.
 */
let tileFilter = '';

/** Sets the tiles' filter; the map takes it with setTiles([tilesURL()]). */
export function setTileFilter(query) { tileFilter = query || ''; }

/** The risk layers' tile URL template, with the filter and the page's division. */
export function tilesURL() {
  const path = `tiles/${TILE_LAYERS.join(',')}/{z}/{x}/{y}.mvt`;
  return tileURLTemplate(inView(tileFilter ? `${path}?${tileFilter}` : path));
}

/**
 * Builds the style.
 * @param {object} cfg the server's config.json
 * @param {Record<string, boolean>} visible layer-switcher state by key (categories and "counties")
 */
export function buildStyle(cfg, visible) {
  const vis = (key) => (visible[key] === false || (visible[key] == null && OFF_BY_DEFAULT.includes(key)) ? 'none' : 'visible');
  const tiles = tilesURL();

  /** @type {Record<string, any>} */
  const sources = {
    [SOURCE_ID]: {
      type: 'vector',
      tiles: [tiles],
      minzoom: 0,
      maxzoom: 16,
    },
  };

  const layers = [
    { id: 'background', type: 'background', paint: { 'background-color': THEME.background } },
  ];

  const bm = cfg && cfg.basemap;
  if (bm && Array.isArray(bm.tiles) && bm.tiles.length > 0) {
    const src = {
      type: 'raster',
      tiles: bm.tiles.map(tileURLTemplate),
      tileSize: bm.tileSize || 256,
    };
    if (bm.minzoom != null) src.minzoom = bm.minzoom;
    if (bm.maxzoom != null) src.maxzoom = bm.maxzoom;
    if (bm.attribution) src.attribution = bm.attribution;
    sources.basemap = src;
    layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
  }

  const fromTiles = (id, sourceLayer, extra) => ({ id, source: SOURCE_ID, 'source-layer': sourceLayer, ...extra });

  layers.push(
    fromTiles('county-fill', 'counties', {
      type: 'fill',
      layout: { visibility: vis('counties') },
      paint: { 'fill-color': gradeColourExpr(), 'fill-opacity': 0.1 },
    }),
    // The four-colour regional maps (四色区域图): counties, or grid cells,
    // filled with the highest grade inside.
    fromTiles('region-county-fill', 'counties', {
      type: 'fill',
      layout: { visibility: vis('regions_county') },
      paint: { 'fill-color': gradeColourExpr(), 'fill-opacity': 0.6 },
    }),
    fromTiles('region-grid-fill', 'regions_grid', {
      type: 'fill',
      layout: { visibility: vis('regions_grid') },
      paint: { 'fill-color': gradeColourExpr(), 'fill-opacity': 0.65 },
    }),
    fromTiles('region-grid-line', 'regions_grid', {
      type: 'line',
      layout: { visibility: vis('regions_grid') },
      paint: { 'line-color': THEME.background, 'line-width': 0.5, 'line-opacity': 0.6 },
    }),
    fromTiles('county-line', 'counties', {
      type: 'line',
      layout: { visibility: vis('counties'), 'line-join': 'round' },
      paint: {
        'line-color': THEME.countyOutline,
        'line-opacity': 0.85,
        'line-width': ['interpolate', ['linear'], ['zoom'], 6, 0.8, 10, 1.5, 14, 2.5],
      },
    }),
    fromTiles('context-river', 'context', {
      type: 'line',
      filter: kind('river'),
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: {
        'line-color': THEME.river,
        'line-width': ['interpolate', ['linear'], ['zoom'], 6, 1.2, 10, 2.5, 14, 5],
      },
    }),
    fromTiles('context-road', 'context', {
      type: 'line',
      filter: kind('road'),
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: {
        'line-color': THEME.road,
        'line-width': ['interpolate', ['linear'], ['zoom'], 6, 0.5, 10, 1, 14, 2],
      },
    }),
    fromTiles('context-town-dot', 'context', {
      type: 'circle',
      minzoom: 9,
      filter: kind('town'),
      paint: { 'circle-color': THEME.town, 'circle-radius': 2, 'circle-opacity': 0.8 },
    }),
    fromTiles('context-seat-dot', 'context', {
      type: 'circle',
      filter: kind('seat'),
      paint: {
        'circle-color': THEME.seat,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 6, 2, 10, 3.5],
        'circle-stroke-color': THEME.halo,
        'circle-stroke-width': 1,
      },
    }),
    fromTiles('context-town-label', 'context', {
      type: 'symbol',
      minzoom: 9,
      filter: kind('town'),
      layout: {
        'text-field': ['get', 'name'],
        'text-size': ['interpolate', ['linear'], ['zoom'], 9, 11, 13, 13],
        'text-offset': [0, 0.8],
        'text-anchor': 'top',
        'text-max-width': 8,
        'text-padding': 4,
      },
      paint: { 'text-color': THEME.townText, 'text-halo-color': THEME.halo, 'text-halo-width': 1.2 },
    }),
    fromTiles('context-seat-label', 'context', {
      type: 'symbol',
      minzoom: 10,
      filter: kind('seat'),
      layout: {
        'text-field': ['get', 'name'],
        'text-size': 13,
        'text-offset': [0, 0.9],
        'text-anchor': 'top',
      },
      paint: { 'text-color': THEME.labelText, 'text-halo-color': THEME.halo, 'text-halo-width': 1.4 },
    }),
  );

  // The planners' hazard zones (风险区划), tinted by grade, under the points.
  layers.push(
    fromTiles('zone-fill', 'zones', {
      type: 'fill',
      layout: { visibility: vis('zones') },
      paint: { 'fill-color': gradeColourExpr(), 'fill-opacity': 0.3 },
    }),
    fromTiles('zone-line', 'zones', {
      type: 'line',
      layout: { visibility: vis('zones') },
      paint: { 'line-color': gradeColourExpr(), 'line-width': 2 },
    }),
  );

  const selected = ['boolean', ['feature-state', 'selected'], false];
  // Below the cluster zoom (z12) the server sends cells, not points: a
  // cell has `cluster`, its `count` and the highest grade inside as its
  // `grade`, so it is coloured like a point and sized by its count.
  const cluster = ['boolean', ['get', 'cluster'], false];
  const cellRadius = (base) => ['min', base * 3, ['+', base, ['*', 0.9, ['sqrt', ['coalesce', ['get', 'count'], 1]]]]];
  for (const c of CATEGORIES) {
    const r = c.radius;
    layers.push(fromTiles(pointLayerId(c.id), c.id, {
      type: 'circle',
      layout: { visibility: vis(c.id), 'circle-sort-key': gradeRankExpr() },
      paint: {
        'circle-color': gradeColourExpr(),
        'circle-opacity': 1,
        'circle-blur': 0,
        // Small at city scale (thousands of points), full size from zoom 12.
        'circle-radius': ['interpolate', ['linear'], ['zoom'],
          6, ['case', cluster, cellRadius(r * 0.5), selected, r, r * 0.4],
          9, ['case', cluster, cellRadius(r * 0.6), selected, r * 1.2, r * 0.6],
          12, ['case', cluster, cellRadius(r), selected, r * 1.6, r],
          16, ['case', selected, r * 2.2, r * 1.6]],
        'circle-stroke-color': ['case', selected, '#FFFFFF', c.stroke],
        'circle-stroke-width': ['interpolate', ['linear'], ['zoom'],
          6, ['case', selected, 2, c.strokeWidth * 0.4],
          9, ['case', selected, 2.5, c.strokeWidth * 0.6],
          12, ['case', selected, c.strokeWidth + 2, c.strokeWidth]],
        'circle-stroke-opacity': 1,
      },
    }));
  }

  // Hidden hazards above the objects: major ones red, general ones amber;
  // an overdue one gets a wide white ring so that it stands out.
  const overdue = ['boolean', ['get', 'overdue'], false];
  layers.push(
    fromTiles('hazards-overdue', 'hidden_hazards', {
      type: 'circle',
      filter: overdue,
      layout: { visibility: vis('hidden_hazards') },
      paint: {
        'circle-color': 'rgba(0,0,0,0)',
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 6, 7, 12, 13, 16, 18],
        'circle-stroke-color': '#FFFFFF',
        'circle-stroke-width': 3,
      },
    }),
    fromTiles('hazards', 'hidden_hazards', {
      type: 'circle',
      layout: { visibility: vis('hidden_hazards') },
      paint: {
        'circle-color': ['match', ['get', 'level'], 'major', HAZARD_COLOURS.major, HAZARD_COLOURS.general],
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 6, 3.5, 12, 7, 16, 10],
        'circle-stroke-color': '#1A1A1A',
        'circle-stroke-width': ['case', overdue, 2.5, 1],
      },
    }),
  );

  // County names go above the points: at city scale thousands of points
  // would otherwise hide all nine of them.
  layers.push(
    fromTiles('county-label', 'context', {
      type: 'symbol',
      filter: kind('county_label'),
      layout: {
        visibility: vis('counties'),
        'text-field': ['get', 'name'],
        'text-size': ['interpolate', ['linear'], ['zoom'], 6, 12, 9, 16, 12, 20],
        'text-letter-spacing': 0.1,
      },
      paint: {
        'text-color': THEME.labelText,
        'text-halo-color': THEME.halo,
        'text-halo-width': 2,
        'text-halo-blur': 0.5,
      },
    })
  );

  return {
    version: 8,
    name: 'riskmap',
    // Deliberately no "glyphs" and no "sprite": nothing may be fetched from outside.
    sources,
    layers,
  };
}
