/**
 * Supabase Storage's error answers: HTTP status and the body `{statusCode, code, error, message}`
 * (statusCode a string, as Storage sends it; storage-js reads `message` and `statusCode`).
 */
export class StorageError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  body(): { statusCode: string; code: string; error: string; message: string } {
    return { statusCode: String(this.status), code: this.code, error: this.code, message: this.message };
  }
}

export const noSuchBucket = () => new StorageError(404, 'NoSuchBucket', 'Bucket not found');
export const noSuchKey = () => new StorageError(404, 'NoSuchKey', 'Object not found');
export const invalidKey = (key: string) => new StorageError(400, 'InvalidKey', `Invalid key: ${key}`);
export const invalidRequest = (message: string) => new StorageError(400, 'InvalidRequest', message);
export const entityTooLarge = () =>
  new StorageError(413, 'EntityTooLarge', 'The object exceeded the maximum allowed size');
export const invalidMimeType = (mime: string) =>
  new StorageError(415, 'InvalidMimeType', `mime type ${mime} is not supported`);
export const rlsDenied = () => new StorageError(403, 'Unauthorized', 'new row violates row-level security policy');
export const duplicate = () => new StorageError(409, 'Duplicate', 'The resource already exists');
export const invalidJwt = (message: string) => new StorageError(403, 'InvalidJWT', message);
export const invalidSignature = (message: string) => new StorageError(400, 'InvalidSignature', message);
export const notSupported = (what: string) =>
  new StorageError(400, 'NotSupported', `${what} is not supported by the Pasabay local stack`);
