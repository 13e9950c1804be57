import { css } from 'lit';

export const styles = css`
  :host {
    --_gap: var(--pasabay-meeting-participants-gap, var(--_space-s));
    --_avatar-size: var(--pasabay-meeting-participants-avatar-size, 2rem);
    --_badge-color: var(--pasabay-meeting-participants-badge-color, var(--_color-text-muted));
    --_hand-color: var(--pasabay-meeting-participants-hand-color, var(--_color-warning));
    --_live-color: var(--pasabay-meeting-participants-live-color, var(--_color-success));
    --_poor-color: var(--pasabay-meeting-participants-poor-color, var(--_color-warning));

    display: block;
    color: var(--_color-text);
  }

  [part~='base'] {
    display: flex;
    flex-direction: column;
    gap: var(--_gap);
  }

  [part~='header'] {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: var(--_gap);
  }

  [part~='count'] {
    font-weight: 600;
  }

  [part~='message'] {
    margin: 0;
    color: var(--_color-text-muted);
  }

  [part~='list'] {
    display: flex;
    flex-direction: column;
    gap: var(--_gap);
    margin: 0;
    padding: 0;
    list-style: none;
  }

  [part~='list'][hidden] {
    display: none;
  }

  /* An expanded large room: the list scrolls within the element and renders the rows in view. */
  .windowed {
    max-block-size: var(--pasabay-meeting-participants-list-max-height, 24rem);
    overflow-y: auto;
    overscroll-behavior: contain;
  }

  [part~='participant'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space-xs) var(--_gap);
    min-inline-size: 0;
  }

  [part~='participant'][part~='away'] [part~='avatar'],
  [part~='participant'][part~='connection-lost'] [part~='avatar'] {
    opacity: 0.55;
  }

  [part~='avatar'] {
    flex: none;
    inline-size: var(--_avatar-size);
    block-size: var(--_avatar-size);
    border-radius: 50%;
    object-fit: cover;
    background: var(--_color-surface-raised);
  }

  [part~='initials'] {
    display: inline-grid;
    place-items: center;
    font-size: calc(var(--_avatar-size) * 0.4);
    font-weight: 600;
    color: var(--_color-text);
    border: 1px solid var(--_color-border);
  }

  [part~='name'] {
    flex: 1 1 8rem;
    min-inline-size: 0;
    overflow-wrap: anywhere;
  }

  .you {
    color: var(--_color-text-muted);
  }

  [part~='badges'] {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space-xs);
  }

  [part~='badge'] {
    display: inline-flex;
    align-items: center;
    gap: var(--_space-xs);
    padding: 0 var(--_space-s);
    border: 1px solid var(--_color-border);
    border-radius: 999px;
    color: var(--_badge-color);
    font-size: var(--_font-size-small);
  }

  [part~='badge'][part~='hand'] {
    color: var(--_hand-color);
    border-color: currentColor;
  }

  [part~='icon'] {
    inline-size: 1em;
    block-size: 1em;
    flex: none;
    fill: none;
    stroke: currentColor;
    stroke-width: 2;
    stroke-linecap: round;
    stroke-linejoin: round;
  }

  button {
    cursor: pointer;
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-m);
    background: var(--_color-surface);
    padding: var(--_space-xs) var(--_space-s);
    /* Only the border animates: a colour mid-transition would fail contrast. */
    transition: border-color var(--_duration);
  }

  button:hover:not(:disabled) {
    border-color: var(--_color-accent);
  }

  button:disabled {
    cursor: not-allowed;
    opacity: 0.6;
  }

  [part~='overflow'] {
    color: var(--_color-accent);
  }

  [part~='controls'] {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space-xs);
  }

  [part~='toggle'] {
    display: inline-flex;
    align-items: center;
    gap: var(--_space-xs);
  }

  [part~='toggle'][part~='pressed'] {
    background: var(--_color-accent);
    border-color: var(--_color-accent);
    color: var(--_color-on-accent);
  }

  [part~='hand-position'] {
    font-weight: 600;
  }

  [part~='status'] {
    padding: 0 var(--_space-s);
    border: 1px solid var(--_color-border);
    border-radius: 999px;
    font-size: var(--_font-size-small);
    color: var(--_color-text-muted);
  }

  [part~='status'][part~='live'] {
    color: var(--_live-color);
    border-color: currentColor;
  }

  [part~='quality'] {
    display: inline-flex;
    align-items: center;
    gap: var(--_space-xs);
    color: var(--_badge-color);
    font-size: var(--_font-size-small);
  }

  [part~='quality'][part~='poor'] {
    color: var(--_poor-color);
  }

  [part~='participant-actions'],
  [part~='host-controls'] {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space-xs);
  }

  /* Touch targets of at least 24 px. */
  [part~='host-action'],
  [part~='toggle'] {
    min-block-size: 24px;
    min-inline-size: 24px;
  }

  [part~='host-action'][part~='remove'],
  [part~='host-action'][part~='end'] {
    color: var(--_color-danger);
  }

  @media (forced-colors: active) {
    [part~='toggle'][part~='pressed'] {
      background: Highlight;
      color: HighlightText;
      forced-color-adjust: none;
    }
  }

  /* The online dot of a row (with org-id). */
  :host {
    --_online-color: var(--pasabay-meeting-participants-online-color, var(--_color-success));
  }

  [part~='online'] {
    flex: none;
    inline-size: 0.625rem;
    block-size: 0.625rem;
    border-radius: 50%;
    background: var(--_online-color);
  }

  @media (forced-colors: active) {
    [part~='online'] {
      background: CanvasText;
    }
  }
`;
