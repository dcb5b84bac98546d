// A small fake DOM for running webview code in Node, built to catch unsafe insertion: every
// HTML-parsing path (innerHTML, outerHTML, insertAdjacentHTML, document.write) throws, and it
// records each element made and each attribute set, so a test can check that data only ever
// became text nodes and that no link or script element, href, src or on* attribute appeared.

export class FakeText {
  readonly nodeType = 3;
  parentNode: FakeElement | null = null;
  constructor(public data: string) {}
  get textContent(): string {
    return this.data;
  }
  get nextSibling(): Child | null {
    return siblingAfter(this);
  }
  remove(): void {
    this.parentNode?.removeChild(this);
  }
}

function siblingAfter(n: Child): Child | null {
  const list = n.parentNode?.childNodes;
  return list ? (list[list.indexOf(n) + 1] ?? null) : null;
}

type Child = FakeElement | FakeText;

export interface DomLog {
  elements: string[];
  attributes: { tag: string; name: string; value: string }[];
  texts: string[];
}

export class FakeElement {
  readonly nodeType = 1;
  readonly childNodes: Child[] = [];
  readonly attributes = new Map<string, string>();
  readonly dataset: Record<string, string> = {};
  readonly style: Record<string, string> = {};
  parentNode: FakeElement | null = null;
  hidden = false;
  private readonly listeners = new Map<string, ((e: unknown) => void)[]>();

  constructor(
    readonly tagName: string,
    private readonly log: DomLog,
  ) {}

  setAttribute(name: string, value: string): void {
    this.log.attributes.push({ tag: this.tagName, name, value });
    this.attributes.set(name, String(value));
    if (name === 'hidden') this.hidden = true;
  }
  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }
  append(...nodes: (Child | string)[]): void {
    for (const n of nodes) {
      const node = typeof n === 'string' ? this.text(n) : n;
      node.parentNode = this;
      this.childNodes.push(node);
    }
  }
  appendChild(n: Child): Child {
    this.append(n);
    return n;
  }
  /** Moves `n` (from wherever it is) before `ref`, or to the end when `ref` is null. */
  insertBefore(n: Child, ref: Child | null): Child {
    n.parentNode?.removeChild(n);
    const i = ref ? this.childNodes.indexOf(ref) : -1;
    if (i >= 0) this.childNodes.splice(i, 0, n);
    else this.childNodes.push(n);
    n.parentNode = this;
    return n;
  }
  remove(): void {
    this.parentNode?.removeChild(this);
  }
  get parentElement(): FakeElement | null {
    return this.parentNode;
  }
  get nextSibling(): Child | null {
    return siblingAfter(this);
  }
  removeChild(n: Child): Child {
    const i = this.childNodes.indexOf(n);
    if (i >= 0) this.childNodes.splice(i, 1);
    n.parentNode = null;
    return n;
  }
  get firstChild(): Child | null {
    return this.childNodes[0] ?? null;
  }
  get children(): FakeElement[] {
    return this.childNodes.filter((c): c is FakeElement => c instanceof FakeElement);
  }
  get textContent(): string {
    return this.childNodes.map((c) => c.textContent).join('');
  }
  set textContent(v: string) {
    this.childNodes.length = 0;
    if (v !== '') this.append(this.text(v));
  }
  set innerHTML(_v: string) {
    throw new Error(`innerHTML set on <${this.tagName}>`);
  }
  set outerHTML(_v: string) {
    throw new Error(`outerHTML set on <${this.tagName}>`);
  }
  insertAdjacentHTML(): void {
    throw new Error(`insertAdjacentHTML on <${this.tagName}>`);
  }
  addEventListener(type: string, fn: (e: unknown) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  querySelectorAll(): FakeElement[] {
    return [];
  }
  scrollIntoView(): void {}
  getContext(): null {
    return null;
  }
  /** Every node below this one, depth first. */
  *walk(): Generator<Child> {
    for (const c of this.childNodes) {
      yield c;
      if (c instanceof FakeElement) yield* c.walk();
    }
  }
  private text(v: string): FakeText {
    this.log.texts.push(v);
    return new FakeText(v);
  }
}

export interface FakeWindow {
  addEventListener(type: string, fn: (e: unknown) => void): void;
  /** Calls the listeners of `type` with `event`. */
  dispatch(type: string, event: unknown): void;
}

/**
 * Installs `document` (with `body` and an `#app` element) and `window` on globalThis until
 * `restore` is called.
 */
export function installFakeDom(): {
  log: DomLog;
  app: FakeElement;
  window: FakeWindow;
  document: { createElement(tag: string): FakeElement };
  restore: () => void;
} {
  const log: DomLog = { elements: [], attributes: [], texts: [] };
  const g = globalThis as Record<string, unknown>;
  const saved = { document: g.document, window: g.window };
  const app = new FakeElement('main', log);
  const body = Object.assign(new FakeElement('body', log), { className: '' });
  const listeners = new Map<string, ((e: unknown) => void)[]>();
  const window: FakeWindow = {
    addEventListener: (type, fn) => listeners.set(type, [...(listeners.get(type) ?? []), fn]),
    dispatch: (type, event) => {
      for (const fn of listeners.get(type) ?? []) fn(event);
    },
  };
  const document = {
    body,
    getElementById: (id: string) => (id === 'app' ? app : null),
    createElement(tag: string): FakeElement {
      log.elements.push(tag.toLowerCase());
      return new FakeElement(tag.toLowerCase(), log);
    },
    createTextNode(v: string): FakeText {
      log.texts.push(v);
      return new FakeText(v);
    },
    write(): void {
      throw new Error('document.write');
    },
    writeln(): void {
      throw new Error('document.writeln');
    },
  };
  g.document = document;
  g.window = window;
  return {
    log,
    app,
    window,
    document,
    restore: () => {
      g.document = saved.document;
      g.window = saved.window;
    },
  };
}
