// The one way this code builds DOM. Server strings (names, namespaces, labels) are attacker
// controlled, so they only ever reach the page as text nodes: there is no innerHTML anywhere.

type Child = Node | string | number | null | undefined | false;

export interface Attrs {
  class?: string;
  title?: string;
  [attr: string]: string | undefined;
}

/** `el("dt", {class: "k"}, "rps")`: strings become text nodes, falsy children are skipped. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined) node.setAttribute(name, value);
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces every child; used where a view is rebuilt from scratch. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

export function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`meshwatch: #${id} is missing from the page`);
  return node as T;
}
