/**
 * The parts of `<pasabay-chat>` a page loads only when they are first needed, each through one
 * dynamic `import()` (a chunk of its own in the script bundles, not counted in what a chat page
 * loads before the user does anything; see test/bench/bundle.ts). One load per page, shared by
 * every chat on it; a failed load (network) is tried again on the next call. The one-file bundle
 * (`vite build --mode bundle`) builds eager-parts.ts in its place, so it stays one file.
 */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
}

export type AttachmentsPart = typeof import('./attachments-part.js');
export const loadAttachmentsPart = once<AttachmentsPart>(() => import('./attachments-part.js'));

export type MentionsPart = typeof import('./view/mention-picker.js');
export const loadMentionsPart = once<MentionsPart>(() => import('./view/mention-picker.js'));
