// The live parts shared by the map page and the wall: the server's event
// stream, kept open for days, and the vector tiles fetched again when
// their data changes where the map looks.

import { SOURCE_ID, TILE_LAYERS } from './style.js';
import { inView } from './api.js';

/**
 * openStream follows GET api/v1/events, calling handlers[type](data) with
 * each event's parsed JSON. The browser's EventSource reconnects by itself
 * after a dropped connection, but gives up for good when an answer is not
 * a stream (a 503 while the server restarts, a proxy's error page); and a
 * connection that silently died (a switch that lost it) never errs. So
 * the stream is watched: the server sends a "ping" every 20 s, and when
 * nothing came for `silence` ms, or the browser gave up, a new EventSource
 * is opened after a pause that grows from 1 s to 30 s. onStatus(state)
 * hears "open", "reconnecting"; handlers.resync() runs when a stream
 * opens again (a new stream does not say what happened before it: what
 * the page shows must be read again), and with resyncFirst when the
 * first one opens too (for a page that read its data before).
 * @returns {{close(): void, status(): string}}
 */
export function openStream(handlers, { onStatus = () => {}, silence = 65000, resyncFirst = false } = {}) {
  if (typeof EventSource === 'undefined') return { close() {}, status: () => 'none' };
  let es = null;
  let last = 0;
  let pause = 1000;
  let timer = 0;
  let watchdog = 0;
  let closed = false;
  let opened = false;
  let state = 'connecting';
  const setState = (s) => { if (s !== state) { state = s; onStatus(s); } };
  const seen = () => { last = Date.now(); };
  const listen = (src, type, fn) => src.addEventListener(type, (ev) => {
    seen();
    let msg;
    try { msg = JSON.parse(ev.data); } catch { return; }
    fn(msg);
  });
  const connect = () => {
    timer = 0;
    if (closed) return;
    const src = new EventSource(inView('api/v1/events'));
    es = src;
    seen();
    src.addEventListener('open', () => {
      if (src !== es) return;
      seen();
      pause = 1000;
      setState('open');
      if (handlers.resync && (opened || resyncFirst)) handlers.resync();
      opened = true;
    });
    src.addEventListener('ping', seen);
    for (const [type, fn] of Object.entries(handlers)) if (type !== 'resync') listen(src, type, fn);
    src.addEventListener('error', () => {
      if (src !== es) return;
      setState('reconnecting');
      if (src.readyState === EventSource.CLOSED) retry();
    });
  };
  const retry = () => {
    if (closed || timer) return;
    if (es) es.close();
    es = null;
    timer = setTimeout(connect, pause);
    pause = Math.min(pause * 2, 30000);
  };
  watchdog = setInterval(() => {
    if (es && Date.now() - last > silence) { setState('reconnecting'); retry(); }
  }, 5000);
  connect();
  return {
    close() {
      closed = true;
      clearInterval(watchdog);
      clearTimeout(timer);
      if (es) es.close();
    },
    status: () => state,
  };
}

/**
 * followTiles returns the handler of "layers" events that makes the map
 * fetch its tiles again when the data of a layer it draws changed where
 * it looks (a tile that did not change answers 304; the map keeps drawing
 * the old ones until the new arrive, so nothing flickers). A change
 * outside the view fetches nothing: those tiles are fetched again when
 * the map moves over them. The counters are test hooks.
 */
export function followTiles(map) {
  window.__tileRefreshes = 0;
  window.__tileSkips = 0;
  // Below zoom 12 a point layer's feature is a cell placed at the mean of
  // its objects, up to a cell (a 32nd of a tile) from the change itself.
  const inView = (bbox) => {
    if (!Array.isArray(bbox) || bbox.length !== 4) return true; // anywhere
    const b = map.getBounds();
    const z = map.getZoom();
    const m = z < 12 ? 360 / 2 ** (Math.floor(z) + 5) : 0;
    return !(bbox[2] + m < b.getWest() || bbox[0] - m > b.getEast() || bbox[3] + m < b.getSouth() || bbox[1] - m > b.getNorth());
  };
  let away = [];
  const refresh = () => {
    const src = map.getSource(SOURCE_ID);
    const spec = map.getStyle().sources[SOURCE_ID];
    if (src && typeof src.setTiles === 'function' && spec && spec.tiles) {
      src.setTiles(spec.tiles);
      window.__tileRefreshes += 1;
    }
  };
  // The map keeps tiles it has seen, and would show them as they were.
  map.on('moveend', () => {
    if (away.length === 0 || !away.some(inView)) return;
    away = away.filter((b) => !inView(b));
    refresh();
  });
  const onLayers = (msg) => {
    if (!Object.keys((msg && msg.layers) || {}).some((l) => TILE_LAYERS.includes(l))) return;
    if (!inView(msg.bbox)) {
      window.__tileSkips += 1;
      if (away.length < 100) away.push(msg.bbox);
      else away = [null]; // too many to keep apart: anywhere, the next move
      return;
    }
    refresh();
  };
  onLayers.refresh = refresh;
  return onLayers;
}
