import { css } from 'lit';

/** The online dot of `<meeting-participants>` rows (with `org-id`). */
export default css`
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
