import { css } from 'lit';

export default css`
  :host {
    --_inline-size: var(--pasabay-chat-inline-size, 400px);
    --_block-size: var(--pasabay-chat-block-size, 560px);
    --_background: var(--pasabay-chat-background, var(--_color-surface));
    --_gap: var(--pasabay-chat-gap, var(--_space-s));
    --_bubble-radius: var(--pasabay-chat-bubble-radius, var(--_radius-l));
    --_bubble-max: var(--pasabay-chat-bubble-max-inline-size, 75%);
    --_own-background: var(--pasabay-chat-own-bubble-background, var(--_color-accent));
    --_own-color: var(--pasabay-chat-own-bubble-color, var(--_color-on-accent));
    --_other-background: var(--pasabay-chat-other-bubble-background, var(--_color-surface-raised));
    --_other-color: var(--pasabay-chat-other-bubble-color, var(--_color-text));
    --_composer-background: var(--pasabay-chat-composer-background, var(--_color-surface));
    --_composer-max: var(--pasabay-chat-composer-max-block-size, 10rem);
    --_avatar-size: var(--pasabay-chat-avatar-size, 2rem);
    /* After the text font, for systems whose text font lacks emoji. */
    --_emoji-font: var(
      --pasabay-emoji-font,
      'Apple Color Emoji',
      'Segoe UI Emoji',
      'Noto Color Emoji',
      'Twemoji Mozilla'
    );

    /*
     * A box of its own on a bare page: sized, bordered, and the log scrolls inside it. A page
     * sizes it with width / height (or the two tokens); in a flex or grid cell, set
     * inline-size and block-size to auto to let the cell size it.
     */
    display: flex;
    flex-direction: column;
    inline-size: min(100%, var(--_inline-size));
    block-size: var(--_block-size);
    min-block-size: 12rem;
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-l);
    overflow: hidden;
    contain: content;
    font-family: var(--_font-family), var(--_emoji-font), sans-serif;
  }

  [part~='base'] {
    display: flex;
    flex-direction: column;
    block-size: 100%;
    background: var(--_background);
    position: relative;
  }

  [part~='state'] {
    margin: auto;
    padding: var(--_space-l);
    text-align: center;
    color: var(--_color-text-muted);
  }

  [part~='state'][part~='error'],
  [part~='state'][part~='not-allowed'] {
    color: var(--_color-text);
  }

  [part~='state'] p {
    margin: 0 0 var(--_space-m);
  }

  /* WCAG 2.2 target size: every button is at least 24 × 24 CSS pixels, whatever the font size. */
  button {
    cursor: pointer;
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-m);
    background: var(--_color-surface);
    padding: var(--_space-xs) var(--_space-s);
    min-block-size: 24px;
    min-inline-size: 24px;
  }

  button:disabled {
    cursor: default;
    opacity: 0.6;
  }

  [part~='banner'] {
    padding: var(--_space-xs) var(--_space-m);
    font-size: var(--_font-size-small);
    background: var(--_color-surface-raised);
    border-block-end: 1px solid var(--_color-border);
    color: var(--_color-text);
  }

  [part~='banner'][part~='offline'] {
    border-inline-start: 4px solid var(--_color-warning);
  }

  [part~='notice'] {
    display: flex;
    align-items: center;
    gap: var(--_space-s);
    padding: var(--_space-xs) var(--_space-m);
    font-size: var(--_font-size-small);
    background: var(--_color-surface-raised);
    border-block-start: 1px solid var(--_color-border);
    border-inline-start: 4px solid var(--_color-warning);
    color: var(--_color-text);
  }

  [part~='undo'] {
    display: flex;
    align-items: center;
    gap: var(--_space-s);
    padding: var(--_space-xs) var(--_space-m);
    font-size: var(--_font-size-small);
    background: var(--_color-surface-raised);
    border-block-start: 1px solid var(--_color-border);
    color: var(--_color-text);
  }

  [part~='undo-text'] {
    flex: 1;
    min-inline-size: 0;
  }

  [part~='undo-button'] {
    font-weight: 600;
  }

  [part~='notice-text'] {
    flex: 1;
    min-inline-size: 0;
  }

  [part~='viewport'] {
    position: relative;
    flex: 1;
    min-block-size: 0;
    display: flex;
    flex-direction: column;
  }

  [part~='log'] {
    flex: 1;
    min-block-size: 0;
    overflow-y: auto;
    overscroll-behavior: contain;
    /* Scroll position is kept by the element (anchoring across windowed updates). */
    overflow-anchor: none;
    display: flex;
    flex-direction: column;
    padding-inline: var(--_space-m);
  }

  [part~='list'] {
    margin-block-start: auto;
    padding-block: var(--_space-s);
  }

  .spacer {
    flex: none;
  }

  [part~='loading'],
  [part~='empty'],
  [part~='beginning'] {
    margin: auto;
    padding: var(--_space-l);
    text-align: center;
    color: var(--_color-text-muted);
  }

  [part~='beginning'] {
    margin: 0;
    font-size: var(--_font-size-small);
  }

  /* With nothing in the list, the loading and empty messages sit in the middle of the log. */
  [part~='loading'] ~ [part~='list'],
  [part~='empty'] ~ [part~='list'] {
    margin-block-start: 0;
  }

  [part~='history-status'] {
    position: absolute;
    inset-block-start: var(--_space-s);
    inset-inline: 0;
    margin-inline: auto;
    inline-size: fit-content;
    z-index: 1;
    padding: var(--_space-xs) var(--_space-m);
    border-radius: var(--_radius-l);
    background: var(--_color-surface-raised);
    border: 1px solid var(--_color-border);
    font-size: var(--_font-size-small);
  }

  .row {
    /* Margins would escape measurement; rows only use padding. */
    display: flow-root;
    /* The message toolbar sizes itself against the row (100cqi), not its narrow message. */
    container-type: inline-size;
  }

  [part~='day'] {
    margin: 0;
    padding-block: var(--_space-m) var(--_space-s);
    text-align: center;
    font-size: var(--_font-size-small);
    font-weight: 600;
    color: var(--_color-text-muted);
  }

  /*
   * As wide as its bubble (and its reactions, meta), not as the log: the toolbar, placed against
   * the message's box, then sits beside the bubble at any width of the element.
   */
  [part~='message'] {
    --_top: 1px;
    --_bubble-max: var(--pasabay-chat-bubble-max-inline-size, 75%);
    --_avatar-size: var(--pasabay-chat-avatar-size, 2rem);
    position: relative;
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    inline-size: fit-content;
    min-inline-size: 0;
    max-inline-size: calc(var(--_bubble-max) + var(--_avatar-size) + var(--_space-s));
    padding-block: var(--_top) 1px;
    padding-inline-start: calc(var(--_avatar-size) + var(--_space-s));
    border-radius: var(--_radius-m);
  }

  [part~='message'][part~='first'] {
    --_top: var(--_gap);
  }

  [part~='message'][part~='own'] {
    align-items: flex-end;
    max-inline-size: var(--_bubble-max);
    margin-inline-start: auto;
    padding-inline-start: 0;
  }

  [part~='message'][part~='highlighted'] > [part~='bubble'] {
    outline: 3px solid var(--_color-focus);
    outline-offset: 2px;
  }

  [part~='unread-divider'] {
    display: flex;
    align-items: center;
    gap: var(--_space-s);
    margin: 0;
    padding-block: var(--_space-s);
    font-size: var(--_font-size-small);
    font-weight: 600;
    color: var(--_color-danger);
  }

  [part~='unread-divider']::before,
  [part~='unread-divider']::after {
    content: '';
    flex: 1;
    border-block-start: 1px solid currentColor;
  }

  [part~='message']:focus-visible {
    outline-offset: 0;
  }

  /* Tokens are read on the part itself, so a token set in a ::part() rule takes effect. */
  [part~='avatar'] {
    --_size: var(--pasabay-chat-avatar-size, 2rem);
    position: absolute;
    inset-inline-start: 0;
    inset-block-start: calc(var(--_gap) + 1.3em);
    inline-size: var(--_size);
    block-size: var(--_size);
    border-radius: 50%;
    display: grid;
    place-items: center;
    object-fit: cover;
    font-size: var(--_font-size-small);
    font-weight: 600;
    background: var(--_color-surface-raised);
    color: var(--_color-text);
  }

  [part~='sender'] {
    font-size: var(--_font-size-small);
    font-weight: 600;
    color: var(--_color-text-muted);
    padding-inline: var(--_space-s);
    padding-block-end: 2px;
  }

  /*
   * Every bubble token is read here, on the bubble, not resolved once on :host: a token set on
   * ::part(bubble …) or ::part(message …) (which the bubble inherits) takes effect.
   */
  [part~='bubble'] {
    --_radius: var(--pasabay-chat-bubble-radius, var(--_radius-l));
    max-inline-size: 100%;
    padding: var(--_space-s) var(--_space-m);
    border-radius: var(--_radius);
    background: var(--pasabay-chat-other-bubble-background, var(--_color-surface-raised));
    color: var(--pasabay-chat-other-bubble-color, var(--_color-text));
    overflow-wrap: anywhere;
  }

  [part~='bubble'][part~='bubble-own'] {
    background: var(--pasabay-chat-own-bubble-background, var(--_color-accent));
    color: var(--pasabay-chat-own-bubble-color, var(--_color-on-accent));
  }

  /* The tail: the corner toward the sender on the last bubble of a group. */
  [part~='bubble'][part~='bubble-own'][part~='bubble-last'] {
    border-end-end-radius: var(--pasabay-chat-bubble-tail-radius, var(--_radius));
  }

  [part~='bubble'][part~='bubble-other'][part~='bubble-last'] {
    border-end-start-radius: var(--pasabay-chat-bubble-tail-radius, var(--_radius));
  }

  [part~='message'][part~='deleted'] > [part~='bubble'] {
    background: transparent;
    color: var(--_color-text-muted);
    border: 1px dashed var(--_color-border);
    font-style: italic;
  }

  [part~='message'][part~='failed'] > [part~='bubble'] {
    outline: 2px solid var(--_color-danger);
  }

  /* Not yet stored: marked by outline, not by fading (faded text would fail contrast). */
  [part~='message'][part~='queued'] > [part~='bubble'] {
    outline: 2px dashed var(--_color-border);
    outline-offset: 1px;
  }

  [part~='body'] {
    margin: 0;
    white-space: pre-wrap;
  }

  [part~='link'] {
    color: inherit;
    text-decoration: underline;
  }

  [part~='edited'] {
    font-size: var(--_font-size-small);
    /* 0.85 gave 4.49:1 on the own bubble's accent: just under 4.5:1. */
    opacity: 0.9;
    margin-inline-start: var(--_space-xs);
  }

  /* Inside the reply's bubble, so it reads as part of the reply, not of the message above. Shaded
     darker, not lighter: white text on the accent bubble keeps its 4.5:1 contrast. */
  [part~='reply-quote'] {
    display: block;
    inline-size: 100%;
    text-align: start;
    color: inherit;
    margin-block-end: var(--_space-xs);
    padding: var(--_space-xs) var(--_space-s);
    border: none;
    border-inline-start: 3px solid currentColor;
    border-radius: var(--_radius-s);
    background: rgb(0 0 0 / 0.12);
    font-size: var(--_font-size-small);
    overflow-wrap: anywhere;
  }

  [part~='reply-sender'] {
    display: block;
    font-weight: 600;
  }

  [part~='reactions'] {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space-xs);
    margin-block-start: 2px;
  }

  /* Emoji fonts after the text font, for systems whose text font lacks them. */
  [part~='reaction'],
  [part~='picker-option'] {
    font-family: var(--_font-family), var(--_emoji-font), sans-serif;
  }

  [part~='reaction'] {
    border-radius: var(--_radius-l);
    font-size: var(--_font-size-small);
    padding: 0 var(--_space-s);
  }

  [part~='reaction'][part~='mine'] {
    border-color: var(--_color-accent);
    background: var(--_color-surface-raised);
  }

  [part~='meta'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space-xs);
    padding-inline: var(--_space-s);
    font-size: var(--_font-size-small);
    color: var(--_color-text-muted);
  }

  /* A time read in a right-to-left page keeps its own order ("1:18 AM", not "AM 1:18"). */
  [part~='time'] {
    unicode-bidi: plaintext;
  }

  [part~='time'] + [part~='status']::before {
    content: '·' / '';
    margin-inline-end: var(--_space-xs);
  }

  [part~='status'][part~='failed'] {
    color: var(--_color-danger);
    font-weight: 600;
  }

  [part~='retry'],
  [part~='discard'] {
    font-size: var(--_font-size-small);
    padding: 0 var(--_space-s);
  }

  /*
   * Above the bubble's top edge, overlapping it a little (so the pointer never crosses a gap), at
   * the bubble's start for others' messages and at its end for one's own.
   */
  [part~='actions'] {
    position: absolute;
    inset-block-end: calc(100% - var(--_top) - 0.375rem);
    inset-inline-start: calc(var(--_avatar-size) + var(--_space-s));
    z-index: 1;
    /* One line of buttons even beside a one-word bubble, never wider than the row. */
    inline-size: max-content;
    max-inline-size: calc(100cqi - var(--_avatar-size) - var(--_space-s));
    display: flex;
    flex-wrap: wrap;
    gap: 2px;
    padding: 2px;
    border-radius: var(--_radius-m);
    background: var(--_color-surface);
    border: 1px solid var(--_color-border);
    font-size: var(--_font-size-small);
    visibility: hidden;
  }

  [part~='own'] > [part~='actions'] {
    inset-inline-start: auto;
    inset-inline-end: 0;
  }

  /* Hover, keyboard focus, or a tap (which focuses the message) shows it. */
  [part~='message']:hover > [part~='actions'],
  [part~='message']:focus-within > [part~='actions'] {
    visibility: visible;
  }

  [part~='action'] {
    border: none;
    padding: 0 var(--_space-s);
  }

  [part~='picker'] {
    display: flex;
    gap: 2px;
    flex-basis: 100%;
  }

  [part~='picker-option'] {
    border: none;
    font-size: 1.1em;
    padding: 0 var(--_space-xs);
  }

  [part~='jump'] {
    position: absolute;
    inset-block-end: var(--_space-m);
    inset-inline-end: var(--_space-m);
    border-radius: var(--_radius-l);
    background: var(--_color-accent);
    color: var(--_color-on-accent);
    border-color: transparent;
    box-shadow: 0 1px 4px rgb(0 0 0 / 0.25);
    transition: transform var(--_duration) ease-out;
  }

  [part~='typing'] {
    padding-inline: var(--_space-m);
    min-block-size: 1.5em;
  }

  [part~='composer-form'] {
    display: flex;
    flex-direction: column;
    gap: var(--_space-xs);
    padding: var(--_space-s) var(--_space-m);
    border-block-start: 1px solid var(--_color-border);
    background: var(--_composer-background);
  }

  [part~='context'] {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: var(--_space-s);
    font-size: var(--_font-size-small);
    color: var(--_color-text-muted);
  }

  [part~='composer-row'] {
    display: flex;
    align-items: flex-end;
    gap: var(--_space-s);
  }

  [part~='composer'] {
    flex: 1;
    min-inline-size: 0;
    resize: none;
    field-sizing: content;
    min-block-size: 2.5em;
    max-block-size: var(--_composer-max);
    padding: var(--_space-s);
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-m);
    background: var(--_color-surface);
    color: var(--_color-text);
    font: inherit;
  }

  [part~='composer'][aria-invalid='true'] {
    border-color: var(--_color-danger);
  }

  [part~='send'] {
    background: var(--_color-accent);
    color: var(--_color-on-accent);
    border-color: transparent;
    padding: var(--_space-s) var(--_space-m);
    font-weight: 600;
  }

  [part~='counter'] {
    font-size: var(--_font-size-small);
    color: var(--_color-text-muted);
  }

  [part~='counter'][part~='over'] {
    color: var(--_color-danger);
    font-weight: 600;
  }

  [hidden] {
    display: none !important;
  }

  @media (prefers-reduced-motion: reduce) {
    [part~='jump'] {
      transition: none;
    }
  }

  @media (forced-colors: active) {
    [part~='bubble'] {
      border: 1px solid CanvasText;
    }
    [part~='message'][part~='failed'] > [part~='bubble'] {
      outline-color: CanvasText;
    }
  }

  /* The conversation header (view/header-view.ts). */
  :host {
    --_header-background: var(--pasabay-chat-header-background, var(--_color-surface));
    --_online-color: var(--pasabay-chat-online-color, var(--_color-success));
    --_header-avatar-size: var(--pasabay-chat-header-avatar-size, 2rem);
  }

  [part~='header'] {
    display: flex;
    align-items: center;
    gap: var(--_space-s);
    padding: var(--_space-s) var(--_space-m);
    background: var(--_header-background);
    border-block-end: 1px solid var(--_color-border);
    min-block-size: calc(var(--_header-avatar-size) + 2 * var(--_space-s));
    flex: none;
  }

  /* Shown with back-button, or on a narrow viewport where the list and the chat cannot sit side by side. */
  [part~='back'] {
    display: none;
    place-items: center;
    min-inline-size: 2.75rem;
    min-block-size: 2.75rem;
    padding: 0;
    margin-inline-start: calc(-1 * var(--_space-s));
    border-color: transparent;
    background: transparent;
    color: var(--_color-text);
  }

  [part~='back'].forced {
    display: inline-grid;
  }

  @media (width <= 40rem) {
    [part~='back'] {
      display: inline-grid;
    }
  }

  [part~='back'] svg {
    inline-size: 1.25rem;
    block-size: 1.25rem;
    fill: none;
    stroke: currentColor;
    stroke-width: 2;
    stroke-linecap: round;
    stroke-linejoin: round;
  }

  /* Right to left, "back" points the other way. */
  :host(:dir(rtl)) [part~='back'] svg {
    transform: scaleX(-1);
  }

  [part~='header-avatars'] {
    display: flex;
    flex: none;
  }

  [part~='header-avatar'] {
    position: relative;
    display: grid;
    place-items: center;
    inline-size: var(--_header-avatar-size);
    block-size: var(--_header-avatar-size);
    border-radius: 50%;
    border: 2px solid var(--_header-background);
    background: var(--_color-surface-raised);
    color: var(--_color-text);
    font-size: var(--_font-size-small);
    font-weight: 600;
  }

  [part~='header-avatar'] + [part~='header-avatar'] {
    margin-inline-start: calc(var(--_header-avatar-size) / -4);
  }

  [part~='header-avatar'] img {
    inline-size: 100%;
    block-size: 100%;
    border-radius: 50%;
    object-fit: cover;
  }

  [part~='header-avatar'][part~='online']::after {
    content: '';
    position: absolute;
    inset-block-end: -1px;
    inset-inline-end: -1px;
    inline-size: 0.625rem;
    block-size: 0.625rem;
    border-radius: 50%;
    background: var(--_online-color);
    border: 2px solid var(--_header-background);
  }

  [part~='header-text'] {
    display: flex;
    flex-direction: column;
    min-inline-size: 0;
  }

  [part~='header-title'] {
    font-weight: 600;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  [part~='header-status'] {
    font-size: var(--_font-size-small);
    color: var(--_color-text-muted);
  }

  @media (forced-colors: active) {
    [part~='header-avatar'][part~='online']::after {
      background: CanvasText;
    }
  }

  /* Formatted message bodies (view/rich-text.ts) and the @ completion list (view/mention-picker.ts). */

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

  /* The attach button (view/attach-button.ts); the rest of the attachments' styles load with them (view/attachments.styles.ts). */
  [part~='attach'] {
    display: inline-grid;
    place-items: center;
    min-inline-size: 2.25rem;
    min-block-size: 2.25rem;
    color: var(--_color-text);
  }
`;
