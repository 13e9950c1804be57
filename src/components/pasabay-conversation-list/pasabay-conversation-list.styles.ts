import { css } from 'lit';

export const styles = css`
  :host {
    --_row-gap: var(--pasabay-conversation-list-row-gap, var(--_space-s));
    --_avatar-size: var(--pasabay-conversation-list-avatar-size, 2.5rem);
    --_selected-background: var(--pasabay-conversation-list-selected-background, var(--_color-surface-raised));

    display: flex;
    flex-direction: column;
    inline-size: 20rem;
    max-inline-size: 100%;
    block-size: 32rem;
    background: var(--_color-surface);
    color: var(--_color-text);
    font-family: var(--_font-family);
    font-size: var(--_font-size);
    line-height: var(--_line-height);
  }

  [part~='search'] {
    margin: var(--_space-s);
    min-block-size: 2.25rem;
    padding-inline: var(--_space-s);
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-m);
    background: var(--_color-surface);
    color: inherit;
    font: inherit;
  }

  [part~='list'] {
    flex: 1;
    min-block-size: 0;
    overflow-y: auto;
    overscroll-behavior: contain;
    box-sizing: border-box;
  }

  [part~='row'] {
    display: grid;
    grid-template-columns: var(--_avatar-size) minmax(0, 1fr) auto;
    grid-template-areas:
      'avatar title time'
      'avatar preview badge';
    column-gap: var(--_row-gap);
    align-items: center;
    min-block-size: 3.5rem;
    padding: var(--_space-s) var(--_space-m);
    box-sizing: border-box;
    border-block-end: 1px solid var(--_color-border);
    cursor: pointer;
  }

  [part~='row'][part~='selected'] {
    background: var(--_selected-background);
  }

  [part~='list']:focus-visible,
  [part~='list']:focus-visible [part~='row'][part~='active'] {
    outline: 2px solid var(--_color-focus);
    outline-offset: -2px;
  }

  [part~='avatar'] {
    grid-area: avatar;
    display: grid;
    place-items: center;
    inline-size: var(--_avatar-size);
    block-size: var(--_avatar-size);
    border-radius: 50%;
    object-fit: cover;
    background: var(--_color-surface-raised);
    font-size: var(--_font-size-small);
    font-weight: 600;
  }

  [part~='title'],
  [part~='preview'] {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  [part~='title'] {
    grid-area: title;
    font-weight: 600;
  }

  [part~='time'] {
    grid-area: time;
    color: var(--_color-text-muted);
    font-size: var(--_font-size-small);
  }

  [part~='preview'] {
    grid-area: preview;
    color: var(--_color-text-muted);
    font-size: var(--_font-size-small);
  }

  [part~='row'][part~='unread'] [part~='preview'] {
    color: var(--_color-text);
  }

  [part~='row'][part~='typing'] [part~='preview'] {
    font-style: italic;
  }

  [part~='badge'] {
    grid-area: badge;
    justify-self: end;
    min-inline-size: 1.5rem;
    padding: 0 var(--_space-xs);
    box-sizing: border-box;
    border-radius: 999px;
    background: var(--_color-accent);
    color: var(--_color-on-accent);
    font-size: var(--_font-size-small);
    text-align: center;
  }

  [part~='message'] {
    margin: var(--_space-m);
    color: var(--_color-text-muted);
  }

  @media (forced-colors: active) {
    [part~='row'][part~='selected'] {
      outline: 2px solid Highlight;
      outline-offset: -2px;
    }
    [part~='badge'] {
      border: 1px solid CanvasText;
    }
  }
`;
