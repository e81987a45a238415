// A small element builder: the page is a handful of panels, not worth a framework. Text is always
// set as text (never parsed as HTML), so prompts and tool inputs cannot inject markup.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | null | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.replace(/^on/, '').toLowerCase(), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const c of children.flat()) if (c != null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** A figure: the formatted text shown, the API's exact value kept in data-value. */
export const figure = (name: string, shown: string, raw: string | number) => h('span', { class: 'value', 'data-figure': name, 'data-value': String(raw) }, shown);

/** A panel's body while it loads, when it has nothing, or when its query failed. */
export const notice = (kind: 'loading' | 'empty' | 'error', text: string) => h('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : undefined }, text);

/** What failed and why, and a button to ask again (reachable by keyboard). */
export const failure = (lines: string[], retry: () => void) =>
  h('div', { class: 'notice error', role: 'alert' }, ...lines.map((line) => h('p', {}, line)), h('button', { type: 'button', class: 'retry', onclick: retry }, 'Try again'));

/** Reports a panel's failed query (the page says it once, at the top): `failed(slot, 'Sessions')(err)`. */
export type Failed = (slot: HTMLElement, what: string) => (err: unknown) => void;
