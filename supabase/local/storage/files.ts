/**
 * Where the local Storage keeps file bodies: `<root>/<database>/<bucket>/<version>`, one file per
 * uploaded version (the row's `version` column names it), so replacing an object never rewrites
 * a file someone may be reading. Uploads stream to `<root>/<database>/.tmp/` and are renamed
 * into place only when their row is about to commit: a failed upload leaves no half-written file.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { entityTooLarge } from './errors.js';

export class FileStore {
  readonly #root: string;

  constructor(root: string, database: string) {
    // Each database (one per test suite) gets its own folder.
    this.#root = path.join(root, database.replace(/[^A-Za-z0-9_.-]/g, '_'));
  }

  pathOf(bucket: string, version: string): string {
    return path.join(this.#root, bucket.replace(/[^A-Za-z0-9_.-]/g, '_'), version);
  }

  /**
   * Streams `body` into a temporary file, counting bytes; more than `limit` bytes stops with
   * EntityTooLarge and removes the temporary file.
   */
  async receive(body: Readable, limit: number | null): Promise<TempFile> {
    const dir = path.join(this.#root, '.tmp');
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, randomUUID());
    const md5 = createHash('md5');
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        if (limit !== null && size > limit) return done(entityTooLarge());
        md5.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(file, { flags: 'wx' }));
    } catch (error) {
      await rm(file, { force: true });
      throw error;
    }
    return { file, size, eTag: `"${md5.digest('hex')}"` };
  }

  /** Moves a received file to its version's place. */
  async commit(temp: TempFile, bucket: string, version: string): Promise<void> {
    const target = this.pathOf(bucket, version);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(temp.file, target);
  }

  async discard(file: string): Promise<void> {
    await rm(file, { force: true });
  }
}

export interface TempFile {
  file: string;
  size: number;
  eTag: string;
}
