import { css } from 'lit';

/** The conversation header of `<pasabay-chat>` (view/header-view.ts). */
export default css`
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

  @media (max-width: 40rem) {
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
`;
