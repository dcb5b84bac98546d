// The only way this webview makes elements: text goes in through textContent, never as HTML,
// so eval text such as `<img onerror=…>` stays inert, and bidi controls are made visible.
import { escapeBidi } from './bidi';

type Attrs = Record<string, string | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string | null | undefined)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v);
  for (const c of children)
    if (c !== null && c !== undefined) el.append(typeof c === 'string' ? document.createTextNode(escapeBidi(c)) : c);
  return el;
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function text(el: Element, value: string): void {
  el.textContent = escapeBidi(value);
}
