/** Waiting in Node tests for something a callback reports, bounded in time. */

/**
 * Resolves with what `register`'s callback reports (or rejects with what it rejects); rejects
 * with "timed out waiting for <what>" when nothing comes within `timeoutMs`.
 */
export function waitFor<T>(
  register: (resolve: (value: T) => void, reject: (error: Error) => void) => void,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
    register(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
