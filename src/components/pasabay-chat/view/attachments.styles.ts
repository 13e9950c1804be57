/**
 * Styles of `<pasabay-chat>`'s attachments (issue 12, attachments-view.ts): the files being
 * uploaded, a message's files and the image dialog. Part of the chunk loaded on demand
 * (../attachments-part.ts), added to the element's shadow root when it arrives; the attach button's
 * rule stays in pasabay-chat.styles.ts, as the button shows before the chunk is loaded.
 */
import { css } from 'lit';

export default css`
  :host {
    --_thumbnail-size: var(--pasabay-chat-thumbnail-size, 10rem);
  }

  [part~='uploads'],
  [part~='attachments'] {
    list-style: none;
    margin: 0;
    padding: 0;
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space-xs);
  }

  [part~='uploads'] {
    margin-block-end: var(--_space-xs);
  }

  [part~='upload'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space-xs);
    padding: var(--_space-xs) var(--_space-s);
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-m);
    background: var(--_color-surface-raised);
    color: var(--_color-text);
    max-inline-size: 100%;
    font-size: var(--_font-size-small);
  }

  [part~='upload'][part~='failed'] {
    border-color: var(--_color-danger);
  }

  [part~='upload-name'],
  [part~='attachment-name'] {
    overflow-wrap: anywhere;
    font-weight: 600;
  }

  [part~='upload-size'],
  [part~='attachment-size'] {
    color: inherit;
    opacity: 0.85;
  }

  [part~='upload-progress'] {
    inline-size: 5rem;
  }

  [part~='upload-error'] {
    color: var(--_color-danger);
    flex-basis: 100%;
  }

  [part~='upload-remove'],
  [part~='upload-retry'] {
    min-inline-size: 1.5rem;
    min-block-size: 1.5rem;
  }

  [part~='attachments'] {
    margin-block-start: var(--_space-xs);
  }

  [part~='attachment-thumbnail'] {
    padding: 0;
    border: 0;
    background: none;
    border-radius: var(--_radius-m);
    overflow: hidden;
    display: block;
  }

  /* A fixed box, so rows keep their height while images load (the log measures rows). */
  [part~='thumbnail'] {
    display: block;
    inline-size: var(--_thumbnail-size);
    block-size: var(--_thumbnail-size);
    object-fit: cover;
  }

  [part~='attachment-file'] {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: var(--_space-xs);
  }

  [part~='attachment-download'],
  [part~='lightbox-download'] {
    color: inherit;
    text-decoration: underline;
    display: inline-block;
    min-block-size: 1.5rem;
    line-height: 1.5rem;
  }

  [part~='lightbox'] {
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius-l);
    padding: var(--_space-s);
    max-inline-size: 90vw;
    max-block-size: 90vh;
    background: var(--_color-surface);
    color: var(--_color-text);
  }

  [part~='lightbox']::backdrop {
    background: rgb(0 0 0 / 0.7);
  }

  [part~='lightbox-image'] {
    display: block;
    max-inline-size: 100%;
    max-block-size: calc(90vh - 5rem);
    margin-inline: auto;
  }

  [part~='lightbox-bar'] {
    display: flex;
    align-items: center;
    gap: var(--_space-s);
    margin-block-start: var(--_space-s);
  }

  [part~='lightbox-bar'] > span {
    flex: 1;
    overflow-wrap: anywhere;
  }

  [part~='lightbox-close'] {
    min-block-size: 1.5rem;
  }

  @media (forced-colors: active) {
    [part~='upload'],
    [part~='attachment-thumbnail'] {
      border: 1px solid CanvasText;
    }
  }
`;
