/** Styles of a part of `<pasabay-chat>` loaded on demand (lazy-parts.ts), added when it arrives. */
import { supportsAdoptingStyleSheets, type CSSResult } from 'lit';

const adopted = new WeakMap<ShadowRoot, Set<CSSResult>>();

/**
 * Adds a part's styles to a shadow root after Lit adopted the element's own (which are fixed when
 * the class is defined), once per root, as Lit would have: an adopted sheet, or a `<style>` where
 * the browser cannot adopt sheets.
 */
export function adoptPartStyles(root: HTMLElement | DocumentFragment, styles: CSSResult): void {
  if (!(root instanceof ShadowRoot)) return;
  const done = adopted.get(root) ?? new Set<CSSResult>();
  if (done.has(styles)) return;
  adopted.set(root, done.add(styles));
  const sheet = styles.styleSheet;
  if (supportsAdoptingStyleSheets && sheet) {
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    return;
  }
  const style = document.createElement('style');
  style.textContent = styles.cssText;
  root.append(style);
}
