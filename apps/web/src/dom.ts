// Tiny DOM helpers: build elements without a framework, find required elements, show errors.
import { ApiError, asApiError } from './api';
import { hasKey, MessageKey, tx } from './i18n';

type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;
type Child = Node | string | null | undefined | false;

/** `h('button', { class: 'btn', onclick: fn }, 'text')`: attributes, `on*` listeners, children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v as EventListener);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** An element the page cannot work without: fails loudly at start-up rather than later. */
export function $<E extends Element = HTMLElement>(selector: string, root: ParentNode = document): E {
  const el = root.querySelector<E>(selector);
  if (!el) throw new Error(`missing element ${selector}`);
  return el;
}

/** The dictionary key that explains an API error code in plain words. */
export function errorKey(code: string): MessageKey {
  const key = `error.${code}`;
  return hasKey(key) ? key : 'error.UNKNOWN';
}

/** An alert box for an error: a plain-words message and, folded away, the code for support. */
export function errorBox(err: unknown, onRetry?: () => void): HTMLElement {
  const e: ApiError = asApiError(err);
  const box = h('div', { class: 'notice notice-error', role: 'alert', 'data-error-code': e.code });
  box.append(
    h('span', { class: 'notice-icon', 'aria-hidden': 'true' }, '!'),
    h(
      'div',
      { class: 'notice-body' },
      tx(h('p', { class: 'notice-text' }), errorKey(e.code)),
      // The reason code is for support, not for parents: folded away in a details element.
      h('details', { class: 'notice-details' }, tx(h('summary'), 'error.details'), tx(h('p', { class: 'notice-code' }), 'error.code', { code: e.code })),
      onRetry ? tx(h('button', { type: 'button', class: 'btn btn-secondary btn-small', onclick: onRetry }), 'retry') : null,
    ),
  );
  return box;
}

export function clear(el: Element): void {
  el.replaceChildren();
}

/** Polite announcements for screen readers (status changes that are not errors). */
export function announce(text: string): void {
  const live = document.getElementById('announcer');
  if (!live) return;
  live.textContent = '';
  window.setTimeout(() => (live.textContent = text), 50);
}

/** Shows a fatal start-up failure in plain words instead of a blank page. */
export function fatal(err: unknown): void {
  const main = document.querySelector('main') ?? document.body;
  main.replaceChildren(errorBox(err, () => location.reload()));
}
