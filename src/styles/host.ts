import { css } from 'lit';

/**
 * Shared by every Pasabay element: a small reset and the global design tokens.
 *
 * Pages set the public tokens (`--pasabay-color-accent`, `--pasabay-radius-m`, …) on `:root` or
 * any ancestor; they are never declared on `:host`, so they inherit into every element. Here each
 * one is resolved once into a private `--_*` property with its default, and components build
 * their own tier on those: `--_gap: var(--pasabay-chat-gap, var(--_space-s));`.
 *
 * Light and dark: defaults use `light-dark()`, so they follow `prefers-color-scheme`; the
 * `theme="light|dark"` attribute pins one scheme (and should be forwarded to nested elements).
 *
 * The `@cssprop` lines below document the global tokens; their defaults are read from the styles
 * themselves, so the manifest and the README cannot drift from them.
 *
 * @cssprop --pasabay-color-surface - Background of the elements and their fields.
 * @cssprop --pasabay-color-surface-raised - Raised surfaces: others' bubbles, banners, notices, avatars, one's own reactions.
 * @cssprop --pasabay-color-text - Body text.
 * @cssprop --pasabay-color-text-muted - Secondary text: times, delivery status, the typing sentence, badges.
 * @cssprop --pasabay-color-border - Borders and dividers.
 * @cssprop --pasabay-color-accent - Accent: one's own bubbles, the send and jump buttons, pressed toggles, and the focus outline.
 * @cssprop --pasabay-color-on-accent - Text and icons on the accent colour.
 * @cssprop --pasabay-color-danger - Errors: failed messages, the over-limit counter, an invalid composer.
 * @cssprop --pasabay-color-success - Success colour: the online dot of the header and the roster.
 * @cssprop --pasabay-color-warning - Warnings: the edge of the offline banner and of notices, the raised-hand badge.
 * @cssprop --pasabay-color-focus - Focus outline.
 * @cssprop --pasabay-radius-s - Small corner radius (the quoted message of a reply).
 * @cssprop --pasabay-radius-m - Medium corner radius (buttons, the composer, messages' toolbars).
 * @cssprop --pasabay-radius-l - Large corner radius (bubbles, reaction chips).
 * @cssprop --pasabay-space-xs - Extra small space.
 * @cssprop --pasabay-space-s - Small space; the default gap between messages, participants, and typing dots and sentence.
 * @cssprop --pasabay-space-m - Medium space.
 * @cssprop --pasabay-space-l - Large space.
 * @cssprop --pasabay-font-family - Font family.
 * @cssprop --pasabay-font-size - Base font size.
 * @cssprop --pasabay-font-size-small - Small text: times, statuses, counters.
 * @cssprop --pasabay-line-height - Line height.
 * @cssprop --pasabay-duration - Length of transitions and animations (`0s` under `prefers-reduced-motion: reduce`).
 */
export const hostStyles = css`
  :host {
    color-scheme: light dark;
    --_color-surface: var(--pasabay-color-surface, light-dark(#ffffff, #18181b));
    --_color-surface-raised: var(--pasabay-color-surface-raised, light-dark(#f4f4f5, #27272a));
    --_color-text: var(--pasabay-color-text, light-dark(#18181b, #f4f4f5));
    /* 4.5:1 against both surfaces in each scheme. */
    --_color-text-muted: var(--pasabay-color-text-muted, light-dark(#52525b, #a1a1aa));
    --_color-border: var(--pasabay-color-border, light-dark(#d4d4d8, #3f3f46));
    --_color-accent: var(--pasabay-color-accent, light-dark(#0f62d6, #7ab0ff));
    --_color-on-accent: var(--pasabay-color-on-accent, light-dark(#ffffff, #0b1220));
    --_color-danger: var(--pasabay-color-danger, light-dark(#b42318, #ff8a80));
    --_color-success: var(--pasabay-color-success, light-dark(#136c2e, #7ee2a0));
    --_color-warning: var(--pasabay-color-warning, light-dark(#8a5300, #ffc46b));
    --_color-focus: var(--pasabay-color-focus, var(--_color-accent));
    --_radius-s: var(--pasabay-radius-s, 0.25rem);
    --_radius-m: var(--pasabay-radius-m, 0.5rem);
    --_radius-l: var(--pasabay-radius-l, 1rem);
    --_space-xs: var(--pasabay-space-xs, 0.25rem);
    --_space-s: var(--pasabay-space-s, 0.5rem);
    --_space-m: var(--pasabay-space-m, 0.75rem);
    --_space-l: var(--pasabay-space-l, 1rem);
    --_font-family: var(--pasabay-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_font-size: var(--pasabay-font-size, 0.9375rem);
    --_font-size-small: var(--pasabay-font-size-small, 0.8125rem);
    --_line-height: var(--pasabay-line-height, 1.4);
    --_duration: var(--pasabay-duration, 160ms);

    box-sizing: border-box;
    font-family: var(--_font-family);
    font-size: var(--_font-size);
    line-height: var(--_line-height);
    color: var(--_color-text);
  }

  :host([theme='light']) {
    color-scheme: light;
  }

  :host([theme='dark']) {
    color-scheme: dark;
  }

  :host([hidden]) {
    display: none !important;
  }

  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }

  :focus-visible {
    outline: 2px solid var(--_color-focus);
    outline-offset: 2px;
  }

  button {
    font: inherit;
    color: inherit;
  }

  /* Read by screen readers, invisible on screen. */
  .visually-hidden {
    position: absolute !important;
    inline-size: 1px !important;
    block-size: 1px !important;
    padding: 0 !important;
    margin: -1px !important;
    overflow: hidden !important;
    clip-path: inset(50%) !important;
    white-space: nowrap !important;
    border: 0 !important;
  }

  @media (prefers-reduced-motion: reduce) {
    :host {
      --_duration: 0s;
    }
  }

  @media (forced-colors: active) {
    :host {
      --_color-surface: Canvas;
      --_color-surface-raised: Canvas;
      --_color-text: CanvasText;
      --_color-text-muted: CanvasText;
      --_color-border: CanvasText;
      --_color-accent: Highlight;
      --_color-on-accent: HighlightText;
      --_color-danger: CanvasText;
      --_color-success: CanvasText;
      --_color-warning: CanvasText;
      --_color-focus: Highlight;
    }
  }
`;
