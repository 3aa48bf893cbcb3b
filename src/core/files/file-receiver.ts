// One incoming file, written so that nothing partial or unverified ever has
// its final name: a private temporary file in the policy folder, exact size,
// fsync, sha256 against the announcement, then a no-clobber rename (link +
// unlink) to a sanitised, unique name. Any failure (disk full, mismatch,
// abort) deletes the temporary file.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { safeFileName, uniqueFileName } from './safe-file-name.js';

export class FileTransferError extends Error {}

export interface IncomingFile {
  folder: string;
  name: string;
  size: number;
  sha256: string;
}

export class FileReceiver {
  private received = 0;
  private readonly hash: Hash = createHash('sha256');
  private done = false;

  private constructor(
    private readonly file: IncomingFile,
    private readonly tempPath: string,
    private readonly handle: FileHandle,
  ) {}

  static async open(file: IncomingFile): Promise<FileReceiver> {
    try {
      await mkdir(file.folder, { recursive: true, mode: 0o700 });
      const tempPath = join(file.folder, `.porchlight-${randomBytes(8).toString('hex')}.part`);
      return new FileReceiver(file, tempPath, await open(tempPath, 'wx', 0o600));
    } catch (err) {
      throw new FileTransferError(`cannot write into ${file.folder}: ${describe(err)}`);
    }
  }

  get complete(): boolean {
    return this.received === this.file.size;
  }

  /** Append bytes; more than announced is refused (and everything deleted). */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.done) throw new FileTransferError('the transfer is over');
    if (this.received + chunk.byteLength > this.file.size) {
      await this.abort();
      throw new FileTransferError(`more bytes than the announced ${this.file.size}`);
    }
    try {
      await this.handle.write(chunk);
    } catch (err) {
      await this.abort();
      throw new FileTransferError(`writing failed: ${describe(err)}`);
    }
    this.received += chunk.byteLength;
    this.hash.update(chunk);
  }

  /** All bytes are in: verify and give the file its final name; resolves with the path. */
  async finish(): Promise<{ path: string; name: string }> {
    if (!this.complete) throw new FileTransferError(`only ${this.received} of ${this.file.size} bytes arrived`);
    try {
      await this.handle.sync();
    } catch (err) {
      await this.abort();
      throw new FileTransferError(`writing failed: ${describe(err)}`);
    }
    await this.handle.close().catch(() => undefined);
    this.done = true;
    const actual = this.hash.digest('hex');
    if (actual !== this.file.sha256) {
      await unlink(this.tempPath).catch(() => undefined);
      throw new FileTransferError(`sha256 ${actual} does not match the announced ${this.file.sha256}`);
    }
    const safe = safeFileName(this.file.name);
    for (let attempt = 0; attempt < 5; attempt++) {
      const name = uniqueFileName(safe, (candidate) => existsSync(join(this.file.folder, candidate)));
      try {
        await link(this.tempPath, join(this.file.folder, name)); // fails if the name appeared meanwhile: never overwrites
        await unlink(this.tempPath);
        return { path: join(this.file.folder, name), name };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          await unlink(this.tempPath).catch(() => undefined);
          throw new FileTransferError(`cannot store the file: ${describe(err)}`);
        }
      }
    }
    await unlink(this.tempPath).catch(() => undefined);
    throw new FileTransferError('cannot find a free file name');
  }

  /** Stop and delete what was written. */
  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.handle.close().catch(() => undefined);
    await unlink(this.tempPath).catch(() => undefined);
  }
}

function describe(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'the disk is full';
  if (code === 'EFBIG') return 'the disk is full (the file size limit was reached)';
  return code ?? (err instanceof Error ? err.message : String(err));
}
