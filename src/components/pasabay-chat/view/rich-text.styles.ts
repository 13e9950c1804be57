import { css } from 'lit';

/** Formatted message bodies and the `@` completion list of `<pasabay-chat>`. */
export default css`
  :host {
    --_code-background: var(--pasabay-chat-code-background, rgb(0 0 0 / 0.12));
    --_code-font-family: var(
      --pasabay-chat-code-font-family,
      ui-monospace,
      'SFMono-Regular',
      Menlo,
      Consolas,
      monospace
    );
    --_mention-background: var(--pasabay-chat-mention-background, rgb(0 0 0 / 0.12));
    --_mention-own-outline: var(--pasabay-chat-mention-own-outline, currentColor);
  }

  [part~='paragraph'] {
    margin: 0;
  }

  [part~='body'] > * + * {
    margin-block-start: var(--_space-xs);
  }

  [part~='body-list'] {
    margin-block-end: 0;
    padding-inline-start: 1.25em;
    /* Items are laid out by the list, not by the body's pre-wrap. */
    white-space: normal;
  }

  [part~='body-list-item'] {
    white-space: pre-wrap;
  }

  [part~='code'],
  [part~='code-block'] {
    font-family: var(--_code-font-family);
    font-size: 0.9em;
    background: var(--_code-background);
    border-radius: var(--_radius-s);
  }

  [part~='code'] {
    padding: 0 0.2em;
  }

  [part~='code-block'] {
    margin-block-end: 0;
    padding: var(--_space-xs) var(--_space-s);
    /* Wrapped, not scrolled: a scrolling box would need a tab stop in every code block. */
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }

  /* Shaded, never recoloured: the bubble's own text colour keeps its contrast. */
  [part~='mention'] {
    background: var(--_mention-background);
    border-radius: var(--_radius-s);
    padding: 0 0.15em;
    font-weight: 600;
  }

  [part~='mention'][part~='own'] {
    outline: 2px solid var(--_mention-own-outline);
    outline-offset: -1px;
    font-weight: 700;
  }

  [part~='mention-list'] {
    list-style: none;
    margin: 0 0 var(--_space-xs);
    padding: var(--_space-xs);
    max-block-size: 12rem;
    overflow-y: auto;
    background: var(--_color-surface);
    color: var(--_color-text);
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-m);
  }

  [part~='mention-option'] {
    min-block-size: 24px;
    display: flex;
    align-items: center;
    padding: var(--_space-xs) var(--_space-s);
    border-radius: var(--_radius-s);
    cursor: pointer;
  }

  [part~='mention-option'][part~='active'] {
    background: var(--_color-accent);
    color: var(--_color-on-accent);
  }

  @media (forced-colors: active) {
    [part~='mention-option'][part~='active'] {
      background: Highlight;
      color: HighlightText;
    }
    [part~='code'],
    [part~='code-block'],
    [part~='mention'] {
      border: 1px solid CanvasText;
    }
  }
`;
