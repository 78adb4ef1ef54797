// The start every workbench page (管理, 数据导入) shares: the language
// toggle, a first drawing, and who is logged in, if their role may use
// the page.

import * as i18n from './i18n.js';
import { session } from './api.js';

/**
 * Wires the language toggle to redraw with render, draws once, and asks
 * who is logged in: their session when their role is one of roles, else
 * null (nobody, or a role the page is not for).
 */
export async function openWorkbench(render, roles) {
  i18n.applyToDocument();
  document.getElementById('lang-toggle').addEventListener('click', () => i18n.setLang(i18n.otherLang()));
  i18n.onLangChange(() => { i18n.applyToDocument(); render(); });
  render();
  let who = null;
  try {
    who = await session();
  } catch { /* answered as nobody */ }
  return who && roles.includes(who.role) ? who : null;
}
