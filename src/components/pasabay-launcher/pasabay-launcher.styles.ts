import { css } from 'lit';

export const styles = css`
  :host {
    --_offset-block: var(--pasabay-launcher-offset-block, var(--pasabay-launcher-offset, 1.25rem));
    --_offset-inline: var(--pasabay-launcher-offset-inline, var(--pasabay-launcher-offset, 1.25rem));
    --_button-size: var(--pasabay-launcher-button-size, 3.5rem);
    --_panel-width: var(--pasabay-launcher-panel-width, 24rem);
    --_panel-height: var(--pasabay-launcher-panel-height, 36rem);
    --_panel-gap: var(--pasabay-launcher-panel-gap, var(--_space-m));
    --_z-index: var(--pasabay-launcher-z-index, 2147483000);
    --_badge-color: var(--pasabay-launcher-badge-color, var(--_color-danger));
    --_shadow: var(--pasabay-launcher-shadow, 0 0.5rem 2rem rgb(0 0 0 / 0.25));

    /* Only the button takes space on the page; the panel hangs from it, so nothing else is covered. */
    position: fixed;
    z-index: var(--_z-index);
    inset-block-end: var(--_offset-block);
    inset-inline-end: var(--_offset-inline);
    display: block;
    inline-size: var(--_button-size);
    block-size: var(--_button-size);
  }

  :host([corner='bottom-start']),
  :host([corner='top-start']) {
    inset-inline-end: auto;
    inset-inline-start: var(--_offset-inline);
  }

  :host([corner='top-end']),
  :host([corner='top-start']) {
    inset-block-end: auto;
    inset-block-start: var(--_offset-block);
  }

  [part~='button'] {
    position: relative;
    display: grid;
    place-items: center;
    inline-size: 100%;
    block-size: 100%;
    padding: 0;
    border: none;
    border-radius: 50%;
    background: var(--_color-accent);
    color: var(--_color-on-accent);
    box-shadow: var(--_shadow);
    cursor: pointer;
    transition: transform var(--_duration) ease-out;
  }

  [part~='button']:hover {
    transform: scale(1.05);
  }

  [part~='icon'] {
    inline-size: 50%;
    block-size: 50%;
    fill: currentColor;
  }

  [part~='badge'] {
    position: absolute;
    inset-block-start: -0.25rem;
    inset-inline-end: -0.25rem;
    min-inline-size: 1.5rem;
    block-size: 1.5rem;
    padding-inline: 0.375rem;
    border-radius: 0.75rem;
    background: var(--_badge-color);
    color: #ffffff;
    font-size: var(--_font-size-small);
    font-weight: 600;
    line-height: 1.5rem;
    text-align: center;
  }

  [part~='panel'] {
    position: absolute;
    inset-block-end: calc(100% + var(--_panel-gap));
    inset-inline-end: 0;
    display: flex;
    flex-direction: column;
    /* A fixed size that still fits small screens: the chat scrolls inside, it never grows the panel. */
    inline-size: min(var(--_panel-width), calc(100vw - 2 * var(--_offset-inline)));
    block-size: min(
      var(--_panel-height),
      calc(100dvh - var(--_button-size) - var(--_panel-gap) - 2 * var(--_offset-block))
    );
    overflow: hidden;
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-l);
    background: var(--_color-surface);
    box-shadow: var(--_shadow);
  }

  :host([corner='bottom-start']) [part~='panel'],
  :host([corner='top-start']) [part~='panel'] {
    inset-inline-end: auto;
    inset-inline-start: 0;
  }

  :host([corner='top-end']) [part~='panel'],
  :host([corner='top-start']) [part~='panel'] {
    inset-block-end: auto;
    inset-block-start: calc(100% + var(--_panel-gap));
  }

  [part~='panel'][hidden] {
    display: none;
  }

  [part~='panel']:focus {
    outline: none;
  }

  [part~='panel']:focus-visible {
    outline: 2px solid var(--_color-focus);
    outline-offset: -2px;
  }

  [part~='header'] {
    display: flex;
    align-items: center;
    gap: var(--_space-s);
    padding-block: var(--_space-s);
    padding-inline: var(--_space-l) var(--_space-s);
    border-block-end: 1px solid var(--_color-border);
  }

  [part~='heading'] {
    flex: 1;
    margin: 0;
    font-size: 1em;
    font-weight: 600;
  }

  [part~='close'] {
    display: grid;
    place-items: center;
    min-inline-size: 2rem;
    min-block-size: 2rem;
    padding-inline: var(--_space-s);
    border: 1px solid transparent;
    border-radius: var(--_radius-m);
    background: none;
    cursor: pointer;
  }

  [part~='close']:hover {
    background: var(--_color-surface-raised);
  }

  [part~='body'] {
    display: flex;
    flex: 1;
    min-block-size: 0;
  }

  [part~='list'] {
    flex: 0 0 40%;
    min-inline-size: 0;
    overflow: auto;
    border-inline-end: 1px solid var(--_color-border);
  }

  /* The chat is a bordered box of its own on a bare page; here the panel is its box. */
  [part~='chat'] {
    flex: 1;
    inline-size: auto;
    block-size: auto;
    min-inline-size: 0;
    min-block-size: 0;
    border: 0;
    border-radius: 0;
  }

  @media (prefers-reduced-motion: reduce) {
    [part~='button'],
    [part~='button']:hover {
      transition: none;
      transform: none;
    }
  }

  @media (forced-colors: active) {
    [part~='button'],
    [part~='badge'] {
      border: 1px solid ButtonText;
      forced-color-adjust: none;
      background: ButtonFace;
      color: ButtonText;
    }

    [part~='panel'] {
      border-color: CanvasText;
    }
  }
`;
