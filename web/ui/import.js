// The import page (数据导入), for a division's data keepers (editors) and
// admins: files dropped or chosen, the list's category and source (the
// sources the map holds are offered, so that next month's file updates
// the same objects), a dry run first — the columns as read and what each
// maps to (a drop-down per column), the first rows as they will be
// stored, the problems (paged, CSV) and a small map of the rows'
// positions — then the import itself with upload and reading progress
// and a cancel that leaves nothing behind, the source's mapping kept as
// its template, and the history of imports with each one's report.
//
// The state lives in `state`; render() draws it. Nothing drawn holds
// state of its own, so a redraw (a language switch, progress) loses
// nothing typed.

import * as i18n from './i18n.js';
import { t, htmlLang, propertyLabel } from './i18n.js';
import { fetchJSON, inView, send, csrf, viewDivision } from './api.js';
import { openWorkbench } from './work.js';
import { el, fill, num, redraw, downloadCSV } from './dom.js';
import { buildStyle, CATEGORIES } from './style.js';
import * as maplibregl from 'maplibre-gl';

const CATEGORY_IDS = [...CATEGORIES.map((c) => c.id), 'counties'];
const CRS_CHOICES = ['', 'wgs84', 'cgcs2000', 'gcj02', 'bd09', 'EPSG:4549', 'EPSG:4490'];
const PROBLEMS_PAGE = 20;
const ATTR = '@attr'; // a column kept as an attribute under its own header
const HISTORY = 20;

const state = {
  who: null,
  denied: false,
  loading: true,
  sources: [],        // {category, source, objects, updated_at, template}
  history: [],        // the import history, newest first
  historyMore: false,
  opened: null,       // one import of the history, read with its problems
  draft: { category: 'enterprises', source: '', crs: '', encoding: '', sheet: '', replace: false, skip_invalid: false },
  files: [],          // File objects chosen or dropped
  template: null,     // the source's template as the server keeps it
  mapping: {},        // header → key ('' skip, ATTR attribute): the template's, with the page's changes
  edited: new Set(),  // headers changed in the page since the last preview
  preview: null,      // the dry run's report
  result: null,       // the import's report
  running: null,      // {dry, sent, total, rows, read, size, started}
  problemsPage: 0,
  message: null,      // {kind: 'done'|'error', text}
};
let xhr = null;       // the request running, for cancel
// The preview's map: made once per preview and moved into each redraw.
let mini = { preview: null, box: null, map: null };

const roleLabel = (r) => { const s = t(`role.${r}`); return s === `role.${r}` ? r : s; };
const categoryLabel = (c) => i18n.layerLabel(c);
const when = (iso) => new Date(iso).toLocaleString(htmlLang(), { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });

function problemText(err) {
  const p = err && err.problem;
  const field = p && p.param;
  return [t('import.err.request'), field ? fill('admin.err.field', { field }) : '', p && p.detail ? `（${p.detail}）` : (err && err.message ? `（${err.message}）` : '')].join('');
}

// ---------------------------------------------------------------- reading

async function loadSources() {
  const r = await fetchJSON('api/v1/imports/sources');
  state.sources = r.sources || [];
}

async function loadHistory(older) {
  const before = older && state.history.length ? state.history[state.history.length - 1].id : 0;
  const q = new URLSearchParams({ limit: String(HISTORY) });
  if (before) q.set('before', String(before));
  const r = await fetchJSON(`api/v1/imports?${q}`);
  state.history = older ? state.history.concat(r.imports) : r.imports;
  state.historyMore = r.imports.length === HISTORY;
}

async function openImport(id) {
  try {
    state.opened = await fetchJSON(`api/v1/imports/${id}`);
  } catch (err) {
    state.message = { kind: 'error', text: problemText(err) };
  }
  render();
}

/**
 * Reads the template of the chosen source, if one is kept, into the
 * mapping; without one the columns stay as the page has them.
 */
async function loadTemplate() {
  const { category, source } = state.draft;
  state.template = null;
  if (!source.trim()) return;
  try {
    const q = new URLSearchParams({ category, source: source.trim() });
    state.template = await fetchJSON(`api/v1/import-templates?${q}`);
    const m = state.template.mapping || {};
    state.mapping = { ...(m.columns || {}) };
    if (m.crs && !state.draft.crs) state.draft.crs = m.crs;
  } catch (err) {
    if (err.status !== 404) state.message = { kind: 'error', text: problemText(err) };
  }
}

/** The source as the map holds it, for the chosen category. */
function knownSource() {
  const s = state.draft.source.trim();
  return state.sources.find((x) => x.category === state.draft.category && x.source === s) || null;
}

// ---------------------------------------------------------------- the import

/** The mapping to send: the page's choices, with attributes under their header. */
function mappingToSend() {
  const columns = {};
  for (const [h, v] of Object.entries(state.mapping)) columns[h] = v === ATTR ? h : v;
  const m = { columns };
  if (state.draft.crs) m.crs = state.draft.crs;
  return m;
}

/**
 * Sends the files (a dry run, or the import) with progress: the upload's
 * bytes, then the server's rows as it reads them (application/x-ndjson).
 */
function upload(dry) {
  const d = state.draft;
  const form = new FormData();
  for (const f of state.files) form.append('file', f, f.name);
  form.append('category', d.category);
  if (d.source.trim()) form.append('source', d.source.trim());
  if (d.crs) form.append('crs', d.crs);
  if (d.encoding) form.append('encoding', d.encoding);
  if (d.sheet) form.append('sheet', d.sheet);
  form.append('dry_run', String(dry));
  form.append('replace', String(!!d.replace));
  form.append('skip_invalid', String(!!d.skip_invalid));
  const m = mappingToSend();
  if (Object.keys(m.columns).length) form.append('mapping', JSON.stringify(m));

  state.running = { dry, sent: 0, total: state.files.reduce((n, f) => n + f.size, 0), rows: 0, read: 0, size: 0, started: Date.now(), readStart: 0 };
  state.message = null;
  if (!dry) state.result = null;
  render();
  return new Promise((resolve) => {
    const req = new XMLHttpRequest();
    xhr = req;
    let seen = 0;
    let last = null;
    const lines = () => {
      const text = req.responseText;
      let nl;
      while ((nl = text.indexOf('\n', seen)) >= 0) {
        const line = text.slice(seen, nl);
        seen = nl + 1;
        if (!line.trim()) continue;
        let v;
        try { v = JSON.parse(line); } catch { continue; }
        if (v.progress) {
          if (!state.running.readStart) state.running.readStart = Date.now();
          Object.assign(state.running, v.progress);
          render();
        } else last = v;
      }
    };
    req.open('POST', 'api/v1/imports');
    req.setRequestHeader('Accept', 'application/x-ndjson, application/json');
    req.setRequestHeader('X-CSRF-Token', csrf());
    req.upload.onprogress = (e) => { state.running.sent = e.loaded; if (e.lengthComputable) state.running.total = e.total; render(); };
    req.onprogress = lines;
    req.onload = () => {
      const type = req.getResponseHeader('Content-Type') || '';
      let status = req.status;
      let body = null;
      if (type.includes('ndjson')) {
        lines();
        if (last) { status = last.status; body = last.report || last.problem; }
      } else {
        try { body = JSON.parse(req.responseText); } catch { body = null; }
      }
      finish(dry, status, body);
      resolve();
    };
    req.onerror = () => { finish(dry, 0, null); resolve(); };
    req.onabort = () => {
      state.running = null;
      xhr = null;
      state.message = { kind: 'done', text: t('import.cancelled') };
      render();
      resolve();
    };
    req.send(form);
  });
}

function finish(dry, status, body) {
  state.running = null;
  xhr = null;
  const isReport = body && Array.isArray(body.files);
  if (!isReport) {
    const detail = body && body.detail ? `（${body.detail}）` : '';
    state.message = { kind: 'error', text: status === 0 ? t('import.err.network') : `${t('import.err.request')}${body && body.param ? fill('admin.err.field', { field: body.param }) : ''}${detail}` };
    render();
    return;
  }
  if (dry) {
    state.preview = body;
    state.edited = new Set();
    state.problemsPage = 0;
    const f = body.files && body.files[0];
    if (f && f.sheet && !state.draft.sheet) state.draft.sheet = f.sheet;
  } else {
    state.result = body;
    if (body.committed) afterCommit();
  }
  render();
}

/** After an import: keep the mapping as the source's template, read the lists again. */
async function afterCommit() {
  const m = mappingToSend();
  const changed = JSON.stringify(m) !== JSON.stringify(state.template ? state.template.mapping : { columns: {} });
  if (Object.keys(m.columns).length && changed) {
    try {
      state.template = await send('PUT', 'api/v1/import-templates', { category: state.draft.category, source: state.result.source, mapping: m });
      state.message = { kind: 'done', text: t('import.templateSaved') };
    } catch (err) {
      state.message = { kind: 'error', text: `${t('import.templateFailed')}${problemText(err)}` };
    }
  }
  try { await Promise.all([loadSources(), loadHistory(false)]); } catch { /* the next reload */ }
  render();
}

function cancel() { if (xhr) xhr.abort(); }

function setFiles(list) {
  state.files = [...list];
  state.preview = null;
  state.result = null;
  state.draft.sheet = '';
  if (!state.draft.source.trim() && state.files.length) {
    // A file's name is no source: say so, and let the keeper name one.
    state.message = { kind: 'error', text: t('import.nameSource') };
  }
  render();
  if (state.files.length) upload(true);
}

// ---------------------------------------------------------------- drawing

function labelled(text, control) { return el('label', {}, el('span', {}, text), control); }

function bind(key, control, after) {
  control.name = key;
  const d = state.draft;
  if (control.type === 'checkbox') {
    control.checked = !!d[key];
    control.addEventListener('change', () => { d[key] = control.checked; if (after) after(); });
  } else {
    control.value = d[key] ?? '';
    control.addEventListener('input', () => { d[key] = control.value; });
    control.addEventListener('change', () => { d[key] = control.value; if (after) after(); });
  }
  return control;
}

function block(id, title, ...body) {
  return el('section', { class: 'block', id }, el('h2', {}, title), ...body);
}

function progressBar() {
  const r = state.running;
  if (!r) return null;
  const secs = (Date.now() - (r.readStart || r.started)) / 1000;
  let text;
  let frac;
  if (!r.readStart && r.sent < r.total) {
    frac = r.total ? r.sent / r.total : 0;
    text = fill('import.uploading', { pct: Math.round(frac * 100), mb: (r.total / 1048576).toFixed(1) });
  } else {
    frac = r.size ? r.read / r.size : 0;
    const rate = secs > 0 ? r.rows / secs : 0;
    const left = frac > 0 && frac < 1 ? Math.round(secs * (1 - frac) / frac) : null;
    text = fill('import.reading', { rows: num(r.rows), rate: num(Math.round(rate)) }) + (left != null ? fill('import.left', { s: left }) : '');
  }
  return el('div', { class: 'progress', id: 'import-progress', role: 'status' },
    el('div', { class: 'bar' }, el('i', { style: { width: `${Math.round(Math.min(1, frac) * 100)}%` } })),
    el('span', {}, r.dry ? t('import.previewing') : t('import.committing'), ' · ', text),
    el('button', { class: 'act', type: 'button', id: 'import-cancel', onclick: cancel }, t('import.cancel')));
}

function formBlock() {
  const d = state.draft;
  const cats = el('select', {}, ...CATEGORY_IDS.map((c) => el('option', { value: c }, categoryLabel(c))));
  const srcList = el('datalist', { id: 'known-sources' },
    ...state.sources.filter((s) => s.category === d.category).map((s) => el('option', { value: s.source }, fill('import.sourceObjects', { n: num(s.objects) }))));
  const crs = el('select', {}, ...CRS_CHOICES.map((c) => el('option', { value: c }, c ? t(`import.crs.${c}`) === `import.crs.${c}` ? c : t(`import.crs.${c}`) : t('import.crs.auto'))));
  if (d.crs && !CRS_CHOICES.includes(d.crs)) crs.append(el('option', { value: d.crs }, d.crs));
  const enc = el('select', {}, ...['', 'utf-8', 'gbk'].map((v) => el('option', { value: v }, v ? v.toUpperCase() : t('import.enc.auto'))));
  const sheets = (state.preview && state.preview.files[0] && state.preview.files[0].sheets) || [];
  const sheet = sheets.length > 1 ? labelled(t('import.sheet'), bind('sheet', el('select', {}, ...sheets.map((s) => el('option', { value: s }, s))), () => rerun())) : null;
  const known = knownSource();
  let sourceNote = null;
  if (d.source.trim()) {
    sourceNote = known
      ? el('p', { class: 'muted', id: 'source-note' }, fill('import.sourceKnown', { n: num(known.objects), when: when(known.updated_at) }), state.template ? t('import.templateKept') : '')
      : el('p', { class: 'muted', id: 'source-note' }, t('import.sourceNew'));
  }
  const drop = el('div', { class: 'drop', id: 'drop', tabindex: '0' },
    el('p', {}, state.files.length ? state.files.map((f) => `${f.name}（${(f.size / 1024).toFixed(0)} KB）`).join('、') : t('import.dropHint')),
    el('p', { class: 'muted' }, t('import.formats')));
  const input = el('input', { type: 'file', id: 'file-input', multiple: true, accept: '.csv,.txt,.xlsx,.xlsm,.geojson,.json,.zip,.shp,.shx,.dbf,.prj,.cpg,.gpkg,.kml,.kmz', hidden: true,
    onchange: (e) => setFiles(e.target.files) });
  drop.addEventListener('click', () => input.click());
  drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); input.click(); } });
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); setFiles(e.dataTransfer.files); });
  const busy = !!state.running;
  return block('i-form', t('import.new'), el('div', { class: 'pad' },
    el('form', { class: 'grid', id: 'import-form', onsubmit: (e) => { e.preventDefault(); rerun(); } },
      labelled(t('import.category'), bind('category', cats, () => { loadTemplate().then(() => { state.preview = null; render(); }); })),
      labelled(t('import.source'), bind('source', el('input', { list: 'known-sources', maxlength: '200', placeholder: t('import.source.ph'), autocomplete: 'off' }),
        () => { loadTemplate().then(() => { render(); if (state.files.length) rerun(); }); })),
      srcList,
      labelled(t('import.crs'), bind('crs', crs, () => rerun())),
      labelled(t('import.encoding'), bind('encoding', enc, () => rerun())),
      sheet,
      el('label', { class: 'check' }, bind('replace', el('input', { type: 'checkbox' }), () => rerun()), t('import.replace')),
      el('label', { class: 'check' }, bind('skip_invalid', el('input', { type: 'checkbox' }), () => rerun()), t('import.skipInvalid'))),
    sourceNote, drop, input, progressBar(),
    el('div', { class: 'row' },
      el('button', { class: 'act', type: 'button', id: 'import-preview', disabled: busy || !state.files.length, onclick: () => rerun() }, t('import.preview')),
      el('button', { class: 'act primary', type: 'button', id: 'import-commit', disabled: busy || !canCommit(), onclick: () => upload(false) }, t('import.commit')))));
}

function canCommit() {
  const p = state.preview;
  return !!p && state.files.length > 0 && !!state.draft.source.trim() && (p.invalid === 0 || state.draft.skip_invalid) && !p.refused;
}

function rerun() { if (state.files.length && !state.running) upload(true); }

/** Why a column maps as it does; a mapping is the template's when the template has the header. */
function viaOf(c) {
  if (c.via !== 'mapping') return c.via;
  const kept = state.template && state.template.mapping && state.template.mapping.columns;
  return kept && Object.prototype.hasOwnProperty.call(kept, c.header) ? 'template' : 'mapping';
}

function viaText(f) {
  const key = `import.crsVia.${f.crs_via}`;
  return t(key) === key ? f.crs_via : t(key);
}

function previewBlock() {
  const p = state.preview;
  if (!p) return null;
  const targets = i18n.importTargets(state.draft.category);
  const files = p.files.map((f) => el('li', { 'data-file': f.name },
    el('b', {}, f.name), ` · ${f.format || '?'}`, f.encoding ? ` · ${t('import.encoding')} ${f.encoding.toUpperCase()}` : '',
    f.sheet ? ` · ${t('import.sheet')}「${f.sheet}」` : '',
    f.crs ? el('span', { class: 'crs' }, ` · ${t('import.crs')} ${f.crs}（${viaText(f)}）`) : ''));
  const counts = el('div', { class: 'summary', id: 'preview-counts' },
    ...[['rows', p.rows], ['valid', p.valid], ['invalid', p.invalid], ['inserted', p.inserted], ['updated', p.updated], ['unchanged', p.unchanged], ['retired', p.retired]]
      .map(([k, v]) => el('div', { class: 'figure', 'data-count': k }, el('b', { class: k === 'invalid' && v > 0 ? 'late' : null }, num(v)), t(`import.count.${k}`))));
  const warn = [];
  if (p.elsewhere > 0 && p.source_objects === 0) {
    warn.push(el('p', { class: 'message error', id: 'dup-warning', role: 'alert' }, fill('import.elsewhere', { n: num(p.elsewhere), source: p.elsewhere_source })));
  }
  if (p.refused) warn.push(el('p', { class: 'message error', role: 'alert' }, p.refused));

  // The columns of the first file, each with its target.
  const cols = (p.files.find((f) => f.columns) || {}).columns || [];
  const rows = cols.map((c) => {
    const current = state.mapping[c.header] ?? (c.via === 'skip' ? '' : (c.via === 'attribute' || c.via === 'shadowed' || (c.via === 'mapping' && !targets.some((x) => x.key === c.key))) ? ATTR : c.key);
    const sel = el('select', { 'data-header': c.header, name: `map-${c.header}`, onchange: (e) => { state.mapping[c.header] = e.target.value; state.edited.add(c.header); render(); } },
      el('option', { value: ATTR }, t('import.asAttribute')),
      el('option', { value: '' }, t('import.skip')),
      ...targets.map((x) => el('option', { value: x.key }, `${propertyLabel(x)} · ${x.key}${x.required ? ' *' : ''}`)));
    sel.value = current;
    const changed = state.edited.has(c.header);
    return el('tr', { 'data-header': c.header, class: changed ? 'changed' : null },
      el('td', {}, c.header), el('td', {}, sel),
      el('td', { class: 'muted' }, changed ? t('import.via.page') : t(`import.via.${viaOf(c)}`)));
  });
  const changedAny = state.edited.size > 0;
  const colTable = el('div', { class: 'pad' },
    el('h3', {}, t('import.columns')),
    cols.length ? el('table', { id: 'columns' }, el('thead', {}, el('tr', {}, el('th', {}, t('import.header')), el('th', {}, t('import.mapsTo')), el('th', {}, t('import.why')))),
      el('tbody', {}, ...rows)) : el('p', { class: 'empty' }, t('import.noColumns')),
    changedAny ? el('button', { class: 'act primary', type: 'button', id: 'import-remap', disabled: !!state.running, onclick: () => rerun() }, t('import.remap')) : null);

  // The first rows as they will be stored.
  const sample = p.sample || [];
  const attrKeys = [...new Set(sample.flatMap((s) => Object.keys(s.attributes || {})))].slice(0, 6);
  const sampleTable = sample.length ? el('div', { class: 'pad scroll' }, el('h3', {}, fill('import.sample', { n: sample.length })),
    el('table', { id: 'sample' },
      el('thead', {}, el('tr', {}, ...[t('import.row'), t('import.sourceID'), t('import.name'), t('import.position'), t('import.division'), t('import.grade'), ...attrKeys.map((k) => i18n.attributeLabel(k))].map((h) => el('th', {}, h)))),
      el('tbody', {}, ...sample.map((s) => el('tr', {},
        el('td', { class: 'num' }, String(s.row)), el('td', {}, s.source_id), el('td', {}, s.name),
        el('td', { class: 'num' }, `${s.lon.toFixed(5)}, ${s.lat.toFixed(5)}`), el('td', {}, s.division || s.county || ''),
        el('td', {}, i18n.gradeLabel(s.grade)),
        ...attrKeys.map((k) => el('td', {}, s.attributes && s.attributes[k] != null ? String(s.attributes[k]) : ''))))))) : null;

  return block('i-preview', t('import.previewTitle'),
    el('div', { class: 'pad' }, el('ul', { class: 'files' }, ...files), counts, ...warn),
    colTable, problemsTable(p.problems || [], p.problems_total, 'problems'),
    el('div', { class: 'pad' }, el('h3', {}, fill('import.mapTitle', { n: num((p.points || []).length) })), miniBox(p)),
    sampleTable);
}

function problemsTable(list, total, id) {
  if (!list.length) return el('div', { class: 'pad' }, el('p', { class: 'muted', id: `${id}-none` }, t('import.noProblems')));
  const pages = Math.ceil(list.length / PROBLEMS_PAGE);
  const page = Math.min(state.problemsPage, pages - 1);
  const shown = list.slice(page * PROBLEMS_PAGE, (page + 1) * PROBLEMS_PAGE);
  const reason = (pr) => (htmlLang() === 'en' ? pr.reason : pr.reason_zh || pr.reason);
  return el('div', { class: 'pad' },
    el('h3', {}, fill('import.problems', { n: num(total ?? list.length) })),
    el('table', { id }, el('thead', {}, el('tr', {}, ...[t('import.level'), t('import.file'), t('import.row'), t('import.column'), t('import.value'), t('import.reason')].map((h) => el('th', {}, h)))),
      el('tbody', {}, ...shown.map((pr) => el('tr', { class: pr.level === 'error' ? 'overdue' : null, 'data-row': pr.row },
        el('td', {}, el('span', { class: `badge${pr.level === 'error' ? ' late' : ''}` }, t(`import.level.${pr.level}`))),
        el('td', {}, pr.file || ''), el('td', { class: 'num' }, pr.row ? String(pr.row) : ''), el('td', {}, pr.column || ''),
        el('td', {}, pr.value || ''), el('td', {}, reason(pr)))))),
    el('div', { class: 'row' },
      pages > 1 ? el('button', { class: 'act', type: 'button', disabled: page === 0, onclick: () => { state.problemsPage = page - 1; render(); } }, t('import.prev')) : null,
      pages > 1 ? el('span', { class: 'muted' }, fill('import.page', { page: page + 1, pages })) : null,
      pages > 1 ? el('button', { class: 'act', type: 'button', id: `${id}-next`, disabled: page >= pages - 1, onclick: () => { state.problemsPage = page + 1; render(); } }, t('import.next')) : null,
      el('button', { class: 'act', type: 'button', id: `${id}-csv`, onclick: () => downloadCSV('problems.csv', ['level', 'file', 'row', 'column', 'value', 'reason_zh', 'reason'], list) }, t('import.csv'))));
}

function resultBlock() {
  const r = state.result;
  if (!r) return null;
  const ok = r.committed;
  return block('i-result', ok ? t('import.done') : t('import.notDone'), el('div', { class: 'pad' },
    el('p', { class: `message ${ok ? 'done' : 'error'}`, id: 'import-result', role: ok ? 'status' : 'alert' },
      ok ? fill('import.doneCounts', { inserted: num(r.inserted), updated: num(r.updated), unchanged: num(r.unchanged), retired: num(r.retired), source: r.source })
        : (r.refused || fill('import.notDoneInvalid', { n: num(r.invalid) }))),
    ok ? el('a', { href: inView('./'), class: 'act' }, t('import.toMap')) : null),
  ok ? null : problemsTable(r.problems || [], r.problems_total, 'result-problems'));
}

function historyBlock() {
  const rows = state.history.map((h) => {
    const c = h.counts || {};
    return el('tr', { 'data-import': h.id },
      el('td', {}, when(h.at)), el('td', {}, h.actor),
      el('td', {}, categoryLabel(h.category), el('div', { class: 'muted' }, h.source)),
      el('td', {}, (h.files || []).map((f) => f.name).join('、')),
      el('td', { class: 'num' }, `${num(c.inserted || 0)} / ${num(c.updated || 0)} / ${num(c.unchanged || 0)} / ${num(c.retired || 0)}`),
      el('td', { class: 'num' }, num(h.problems_total || 0)),
      el('td', {}, el('button', { class: 'act', type: 'button', onclick: () => openImport(h.id) }, t('import.report'))));
  });
  const o = state.opened;
  const opened = o ? el('div', { class: 'pad', id: 'opened-import' },
    el('h3', {}, fill('import.reportOf', { id: o.id, when: when(o.at), actor: o.actor })),
    el('p', { class: 'muted' }, `${categoryLabel(o.category)} · ${o.source} · ${(o.files || []).map((f) => `${f.name}（${f.format}, ${f.crs}）`).join('、')}`),
    problemsTable(o.problems || [], o.problems_total, 'opened-problems')) : null;
  return block('i-history', t('import.history'),
    rows.length ? el('div', { class: 'scroll' }, el('table', { id: 'history' }, el('thead', {}, el('tr', {}, ...[t('import.when'), t('import.who2'), t('import.category'), t('import.files'), t('import.changes'), t('import.problemsCol'), ''].map((x) => el('th', {}, x)))),
      el('tbody', {}, ...rows))) : el('p', { class: 'empty' }, t('import.noHistory')),
    state.historyMore ? el('div', { class: 'pad' }, el('button', { class: 'act', type: 'button', onclick: () => loadHistory(true).then(render) }, t('admin.older'))) : null,
    opened);
}

function render() {
  document.getElementById('title').textContent = t('import.title');
  document.title = t('import.title');
  document.getElementById('back').href = inView('./');
  document.getElementById('lang-toggle').textContent = i18n.otherLang() === 'en' ? 'English' : '中文';
  redraw(document.getElementById('import'), drawInto);
  if (mini.map) mini.map.resize();
}

function drawInto(main) {
  if (state.loading) { main.append(el('p', { class: 'empty' }, t('tasks.loading'))); return; }
  if (state.denied) {
    main.append(el('p', { class: 'message error' }, t('import.denied'), ' ',
      el('a', { href: `./?next=import${viewDivision ? `&division=${encodeURIComponent(viewDivision)}` : ''}` }, t('tasks.loginLink'))));
    return;
  }
  main.append(el('p', { class: 'muted', id: 'import-who' }, fill('import.who', { user: state.who.user, role: roleLabel(state.who.role), division: state.who.division_name || t('who.everywhere') })));
  if (state.message) main.append(el('p', { class: `message ${state.message.kind}`, role: state.message.kind === 'error' ? 'alert' : 'status' }, state.message.text));
  main.append(formBlock());
  const res = resultBlock();
  if (res) main.append(res);
  const prev = previewBlock();
  if (prev) main.append(prev);
  main.append(historyBlock());
}

/**
 * The rows' positions on a small map over the city (good rows blue,
 * refused ones red), made once for preview p.
 */
function miniBox(p) {
  if (mini.preview === p) return mini.box;
  if (mini.map) mini.map.remove();
  const box = el('div', { id: 'mini-map', class: 'mini-map' });
  mini = { preview: p, box, map: null };
  const pts = p.points || [];
  if (!config) return box;
  const fc = { type: 'FeatureCollection', features: pts.map((q) => ({ type: 'Feature', properties: { ok: q[2] }, geometry: { type: 'Point', coordinates: [q[0], q[1]] } })) };
  const hidden = Object.fromEntries([...CATEGORIES.map((c) => [c.id, false]), ['hidden_hazards', false], ['zones', false], ['incidents', false]]);
  // The box is drawn in the page after this returns.
  requestAnimationFrame(() => {
    if (mini.box !== box) return;
    const m = new maplibregl.Map({ container: box, style: buildStyle(config, hidden), attributionControl: false, dragRotate: false,
      canvasContextAttributes: { preserveDrawingBuffer: true } });
    mini.map = m;
    m.on('load', () => {
      m.addSource('import-points', { type: 'geojson', data: fc });
      m.addLayer({ id: 'import-points', type: 'circle', source: 'import-points',
        paint: { 'circle-radius': 4, 'circle-color': ['case', ['==', ['get', 'ok'], 1], '#1E6FD9', '#E60012'], 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } });
      let [w, s, e, n] = Array.isArray(config.bounds) && config.bounds.length === 4 ? config.bounds : [Infinity, Infinity, -Infinity, -Infinity];
      for (const q of pts) { w = Math.min(w, q[0]); s = Math.min(s, q[1]); e = Math.max(e, q[0]); n = Math.max(n, q[1]); }
      if (Number.isFinite(w) && e - w < 60 && n - s < 40) m.fitBounds([[w, s], [e, n]], { padding: 16, duration: 0 });
      box.dataset.ready = 'true';
    });
  });
  return box;
}

let config = null;

async function main() {
  state.who = await openWorkbench(render, ['admin', 'editor']);
  if (!state.who) {
    state.denied = true;
    state.loading = false;
    render();
    return;
  }
  try {
    const [schema, cfg] = await Promise.all([fetchJSON('api/v1/schema'), fetchJSON('config.json')]);
    i18n.setCatalogue(schema);
    config = cfg;
    await Promise.all([loadSources(), loadHistory(false)]);
  } catch (err) {
    state.message = { kind: 'error', text: problemText(err) };
  }
  state.loading = false;
  render();
}

window.__import = state;
main().catch((err) => { state.message = { kind: 'error', text: String(err && err.message ? err.message : err) }; state.loading = false; render(); });
