// The pages' DOM helpers: building elements, and the strings and numbers
// of the page's language.

import { t, htmlLang } from './i18n.js';

/**
 * Builds an element: attributes (class; style as an object or a string;
 * on… listeners; value as the property; true as an empty attribute; null
 * and false left out; the rest as attributes) and children (nodes or
 * text, arrays flattened, null and false left out).
 */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'style' && typeof v === 'object') Object.assign(e.style, v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'value') e.value = v;
    else if (v === true) e.setAttribute(k, '');
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

/** A string of the current language with its {placeholders} filled. */
export const fill = (key, vars) => Object.entries(vars).reduce((s, [k, v]) => s.replaceAll(`{${k}}`, v), t(key));
/** A number in the page's language, with digits decimals. */
export const num = (n, digits = 0) => Number(n).toLocaleString(htmlLang(), { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * Draws root again: empties it and calls draw(root). A field being typed
 * in (a named input of a form) keeps the focus and its caret, so that a
 * redraw (news on the event stream) never takes it from under the cursor.
 */
export function redraw(root, draw) {
  const typing = root.contains(document.activeElement) && document.activeElement.name ? document.activeElement : null;
  const form = typing && typing.form ? typing.form.id : '';
  let caret = null;
  try {
    if (typing && typeof typing.selectionStart === 'number') caret = [typing.selectionStart, typing.selectionEnd];
  } catch { /* a field without a caret */ }
  root.replaceChildren();
  draw(root);
  if (!typing) return;
  const again = root.querySelector(`${form ? `form#${CSS.escape(form)}` : 'form'} [name="${CSS.escape(typing.name)}"]`);
  if (!again) return;
  again.focus();
  if (caret && again.setSelectionRange) {
    try { again.setSelectionRange(caret[0], caret[1]); } catch { /* a field without a caret */ }
  }
}

/**
 * Downloads rows (objects) as a CSV file of columns cols: UTF-8 with a BOM,
 * which spreadsheet programs need for Chinese.
 */
export function downloadCSV(name, cols, rows) {
  const cell = (v) => { const s = v == null ? '' : String(v); return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s; };
  const lines = [cols.join(',')].concat(rows.map((r) => cols.map((c) => cell(r[c])).join(',')));
  const blob = new Blob(['\ufeff', lines.join('\r\n'), '\r\n'], { type: 'text/csv;charset=utf-8' });
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
}
