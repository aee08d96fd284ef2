// DOM building with text only: values from log files are hostile, so nothing here ever parses a string as HTML.
export interface ElementSpec {
  className?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, spec?: ElementSpec, children?: (Node | null | undefined)[]): HTMLElementTagNameMap[K];
export function el(tag: string, spec?: ElementSpec, children?: (Node | null | undefined)[]): HTMLElement;
export function el(tag: string, spec: ElementSpec = {}, children: (Node | null | undefined)[] = []): HTMLElement {
  const node = document.createElement(tag);
  if (spec.className) node.className = spec.className;
  if (spec.text !== undefined) node.textContent = spec.text;
  if (spec.title !== undefined) node.title = spec.title;
  for (const [k, v] of Object.entries(spec.attrs ?? {})) node.setAttribute(k, v);
  for (const c of children) if (c) node.append(c);
  return node;
}

export function clear(node: Element): void {
  node.replaceChildren();
}
