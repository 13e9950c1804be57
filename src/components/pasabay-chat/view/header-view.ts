import { html, nothing, type TemplateResult } from 'lit';
import type { ChatStrings } from '../../../i18n/chat.js';

/** One member as the header shows them; names and pictures come from `profiles`. */
export interface HeaderMember {
  id: string;
  name: string;
  /** Picture URL when it may be loaded (see connection/avatars.ts). */
  avatarUrl: string | undefined;
  /** Online in the organisation's presence (`org-id`); always false without one. */
  online: boolean;
}

/** What the header template needs, and where its button reports back. */
export interface HeaderView {
  strings: ChatStrings;
  title: string;
  /** The other members, in the order to show them. */
  others: readonly HeaderMember[];
  /** "Online" / "3 of 5 online", or empty when there is nothing to say (no `org-id`, not joined). */
  status: string;
  /** Show the back button whatever the width (`back-button`); narrow viewports show it anyway. */
  backButton: boolean;
  onBack(): void;
}

/** Avatars shown before the rest collapse into "+N". */
export const HEADER_AVATARS = 3;

const backIcon = html`<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
  <path d="M15 5l-7 7 7 7" />
</svg>`;

function renderAvatar(member: HeaderMember): TemplateResult {
  const parts = `header-avatar${member.online ? ' online' : ''}`;
  return html`<span part=${parts} data-user-id=${member.id}>
    ${
      member.avatarUrl
        ? html`<img src=${member.avatarUrl} alt="" loading="lazy" referrerpolicy="no-referrer" />`
        : [...member.name][0]?.toLocaleUpperCase() || '?'
    }
  </span>`;
}

/**
 * The conversation header: back button, the other members' avatars, the title and the online
 * status. Wrapped in the `header` slot by the element, so a host app can replace all of it.
 */
export function renderHeader(view: HeaderView): TemplateResult {
  const { strings, others } = view;
  const shown = others.slice(0, HEADER_AVATARS);
  const more = others.length - shown.length;
  const names = shown.map((member) => member.name).join(', ');
  return html`<div part="header" role="group" aria-label=${strings.headerLabel}>
    <button
      part="back"
      class=${view.backButton ? 'forced' : ''}
      type="button"
      aria-label=${strings.headerBack}
      @click=${view.onBack}
    >
      ${backIcon}
    </button>
    ${
      shown.length > 0
        ? html`<span part="header-avatars" role="img" aria-label=${strings.headerMembers(names, more)}>
            ${shown.map(renderAvatar)}
            ${more > 0 ? html`<span part="header-avatar more">${strings.headerMore(more)}</span>` : nothing}
          </span>`
        : nothing
    }
    <span part="header-text">
      <span part="header-title">${view.title}</span>
      ${view.status ? html`<span part="header-status">${view.status}</span>` : nothing}
    </span>
  </div>`;
}
