// File I/O for the CLI: reads with a progress bar on a terminal, writes that appear whole or not at all.
import { createReadStream } from 'node:fs';
import { open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AlexNetError } from '../errors.js';

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/** Reads a whole file; draws a progress bar on stderr when it is a terminal and the file is large. */
export async function readFileWithProgress(path: string, label: string): Promise<Uint8Array> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new AlexNetError('INVALID_ARGUMENT', `Cannot read ${path}: it is ${info.isDirectory() ? 'a directory' : 'not a regular file'}.`);
    size = info.size;
  } catch (error) {
    if (error instanceof AlexNetError) throw error;
    throw new AlexNetError('INVALID_ARGUMENT', `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, { cause: error });
  }
  const showProgress = process.stderr.isTTY && size > 8e6;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for await (const chunk of createReadStream(path)) {
    if (offset + (chunk as Buffer).byteLength > size) throw new AlexNetError('INVALID_ARGUMENT', `${path} grew while it was read; convert it once it is complete.`);
    bytes.set(chunk as Buffer, offset);
    offset += (chunk as Buffer).byteLength;
    if (showProgress) {
      const filled = Math.round((offset / size) * 30);
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${Math.floor((offset / size) * 100)}% ${megabytes(offset)}/${megabytes(size)} MB`);
    }
  }
  if (showProgress) process.stderr.write('\n');
  return bytes.subarray(0, offset);
}

/** How long a temporary file must sit untouched before a later run may remove it (a writer on another host stays safe). */
const STALE_AFTER_MS = 60_000;

function temporaryName(path: string, pid: number, time: number): string {
  return join(dirname(path), `.${basename(path)}.${pid}.${time}.tmp`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temporary files that an earlier write to `path` left when it was killed (SIGKILL cannot be caught). */
async function removeStaleTemporaries(path: string): Promise<void> {
  const prefix = `.${basename(path)}.`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  for (const name of names) {
    const match = name.startsWith(prefix) ? /^(\d+)\.(\d+)\.tmp$/.exec(name.slice(prefix.length)) : null;
    if (!match || isRunning(Number(match[1]))) continue;
    const file = join(dirname(path), name);
    const info = await stat(file).catch(() => undefined);
    if (info?.isFile() && Date.now() - info.mtimeMs > STALE_AFTER_MS) await unlink(file).catch(() => undefined);
  }
}

/**
 * Writes `chunks` to a temporary file beside `path`, flushes it, then renames it into place, so an
 * interrupted run (error, Ctrl-C, kill) never leaves a partial file under the real name; what a
 * SIGKILL leaves behind, the next write to the same path removes.
 */
export async function writeFileAtomic(path: string, chunks: Uint8Array[]): Promise<void> {
  await removeStaleTemporaries(path);
  const temporary = temporaryName(path, process.pid, Date.now());
  const removeTemporary = (): void => {
    unlink(temporary).catch(() => undefined);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    removeTemporary();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const file = await open(temporary, 'w');
    try {
      for (const chunk of chunks) await file.write(chunk);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    removeTemporary();
    throw new AlexNetError('INVALID_ARGUMENT', `Could not write ${path}: ${(error as Error).message}. Nothing was written.`, { cause: error });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
