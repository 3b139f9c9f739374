// xterm's DOM renderer writes its colours and cell sizes into <style> elements, which the
// page's Content-Security-Policy (style-src 'self') refuses. Constructed stylesheets are not
// inline styles, so a <style> created by script becomes a hidden custom
// element whose text goes into a CSSStyleSheet adopted by the document instead.

const TAG = 'yoke-xterm-style';

class AdoptedStyle extends HTMLElement {
  private readonly sheet = new CSSStyleSheet();
  private text = '';

  override get textContent(): string {
    return this.text;
  }
  override set textContent(value: string | null) {
    this.text = value ?? '';
    this.sheet.replaceSync(this.text);
  }

  connectedCallback(): void {
    if (!document.adoptedStyleSheets.includes(this.sheet)) document.adoptedStyleSheets = [...document.adoptedStyleSheets, this.sheet];
  }

  disconnectedCallback(): void {
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== this.sheet);
  }
}

function define(): void {
  if (!customElements.get(TAG)) customElements.define(TAG, AdoptedStyle);
}

let installed = false;

/**
 * From now on, a <style> created by script is a CSP-safe adopted stylesheet. Installed once,
 * for good: xterm creates some of its style elements lazily (on the first measurement), and
 * under this policy a real <style> would not apply anyway.
 */
export function installAdoptedStyles(): void {
  if (installed) return;
  installed = true;
  define();
  const original = document.createElement;
  document.createElement = function (this: Document, tag: string, options?: ElementCreationOptions) {
    return original.call(this, tag.toLowerCase() === 'style' ? TAG : tag, options);
  } as typeof document.createElement;
}
