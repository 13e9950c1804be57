import { css } from 'lit';

export const styles = css`
  :host {
    --_color: var(--pasabay-typing-indicator-color, var(--_color-text-muted));
    --_dot-size: var(--pasabay-typing-indicator-dot-size, 0.375rem);
    --_dot-color: var(--pasabay-typing-indicator-dot-color, var(--_color));
    --_gap: var(--pasabay-typing-indicator-gap, var(--_space-s));

    display: block;
    color: var(--_color);
    font-size: var(--_font-size-small);
  }

  [part~='base'] {
    display: flex;
    align-items: center;
    gap: var(--_gap);
    /* One line is always reserved so the surrounding layout doesn't jump when typing starts. */
    min-block-size: calc(var(--_line-height) * 1em);
  }

  [part~='base'][data-idle] {
    visibility: hidden;
  }

  [part~='dots'] {
    display: inline-flex;
    align-items: center;
    gap: calc(var(--_dot-size) / 2);
    flex: none;
  }

  [part~='dot'] {
    inline-size: var(--_dot-size);
    block-size: var(--_dot-size);
    border-radius: 50%;
    background: var(--_dot-color);
    animation: pasabay-typing-dot 1.2s ease-in-out infinite;
  }

  [part~='dot']:nth-child(2) {
    animation-delay: 0.15s;
  }

  [part~='dot']:nth-child(3) {
    animation-delay: 0.3s;
  }

  [part~='label'] {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    min-inline-size: 0;
  }

  @keyframes pasabay-typing-dot {
    0%,
    60%,
    100% {
      opacity: 0.35;
      transform: translateY(0);
    }
    30% {
      opacity: 1;
      transform: translateY(-0.2em);
    }
  }

  @media (prefers-reduced-motion: reduce) {
    [part~='dot'] {
      animation: none;
      opacity: 0.7;
    }
  }

  @media (forced-colors: active) {
    [part~='dot'] {
      background: CanvasText;
    }
  }
`;
