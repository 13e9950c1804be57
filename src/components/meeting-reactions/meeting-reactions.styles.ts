import { css } from 'lit';

export const styles = css`
  :host {
    --_stage-height: var(--pasabay-meeting-reactions-stage-height, 8rem);
    --_size: var(--pasabay-meeting-reactions-size, 1.75rem);
    --_button-size: max(24px, var(--pasabay-meeting-reactions-button-size, 2.5rem));
    --_gap: var(--pasabay-meeting-reactions-gap, var(--_space-xs));
    --_float-duration: var(--pasabay-meeting-reactions-duration, 4s);

    display: block;
    position: relative;
  }

  [part~='stage'] {
    position: relative;
    block-size: var(--_stage-height);
    overflow: hidden;
    pointer-events: none;
  }

  [part~='float'] {
    position: absolute;
    inset-block-end: 0;
    display: inline-flex;
    flex-direction: column;
    align-items: center;
    transform: translateX(-50%);
    animation: pasabay-reaction-float var(--_float-duration) ease-out forwards;
  }

  [part~='emoji'] {
    font-size: var(--_size);
    line-height: 1.1;
  }

  [part~='name'] {
    font-size: var(--_font-size-small);
    color: var(--_color-text);
    background: var(--_color-surface-raised);
    border-radius: var(--_radius-s);
    padding-inline: var(--_space-xs);
    max-inline-size: 6rem;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  [part~='float'][part~='own'] [part~='name'] {
    color: var(--_color-on-accent);
    background: var(--_color-accent);
  }

  [part~='picker'] {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_gap);
  }

  [part~='button'] {
    min-inline-size: var(--_button-size);
    min-block-size: var(--_button-size);
    font-size: calc(var(--_button-size) * 0.5);
    line-height: 1;
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-m);
    background: var(--_color-surface);
    color: var(--_color-text);
    cursor: pointer;
  }

  [part~='button']:hover:not(:disabled) {
    background: var(--_color-surface-raised);
  }

  [part~='button']:disabled {
    cursor: not-allowed;
    opacity: 0.5;
  }

  [part~='button']:focus-visible,
  [part~='dismiss']:focus-visible {
    outline: 2px solid var(--_color-focus);
    outline-offset: 2px;
  }

  [part~='state'] {
    margin: var(--_space-xs) 0 0;
    color: var(--_color-text-muted);
    font-size: var(--_font-size-small);
  }

  [part~='notice'] {
    display: flex;
    align-items: center;
    gap: var(--_space-s);
    margin-block-start: var(--_space-xs);
    padding: var(--_space-xs) var(--_space-s);
    border: 1px solid var(--_color-danger);
    border-radius: var(--_radius-s);
    color: var(--_color-danger);
    font-size: var(--_font-size-small);
  }

  [part~='dismiss'] {
    min-block-size: 24px;
    min-inline-size: 24px;
    margin-inline-start: auto;
    border: 1px solid currentColor;
    border-radius: var(--_radius-s);
    background: transparent;
    color: inherit;
    cursor: pointer;
  }

  /* Transform only: a fading float would drop below text contrast while it is read. */
  @keyframes pasabay-reaction-float {
    from {
      transform: translate(-50%, 0);
    }
    to {
      transform: translate(-50%, calc(var(--_size) * 2 - var(--_stage-height)));
    }
  }

  /* Reduced motion: reactions appear in place for their moment, without floating or fading. */
  @media (prefers-reduced-motion: reduce) {
    [part~='float'] {
      animation: none;
    }
  }

  @media (forced-colors: active) {
    [part~='float'][part~='own'] [part~='name'] {
      forced-color-adjust: none;
      color: HighlightText;
      background: Highlight;
    }
  }
`;
