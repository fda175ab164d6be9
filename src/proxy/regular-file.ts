// Reading a file whose path someone else controls (the policy, a token file): links are followed, but
// only a regular file of bounded size is read. A FIFO, device, socket or directory is refused with the
// reason before anything blocks on it: the path is stat'ed first, opened non-blocking (a FIFO swapped in
// after the stat opens at once and is refused by fstat), and at most `maxBytes + 1` bytes are read.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';

export type FileRead =
  | { ok: true; text: string; /** The file read, links resolved. */ target: string }
  | { ok: false; /** Nothing at the path (or a link to nothing). */ missing: boolean; problem: string; target?: string };

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
const NOT_THERE = new Set(['ENOENT', 'ENOTDIR']);

/** Why a file with these stats is not read, or undefined when it may be. */
export function refusalOf(stats: Stats, maxBytes: number): string | undefined {
  if (!stats.isFile()) return `it is ${kindOf(stats)}, not a regular file`;
  if (stats.size > maxBytes) return `it is ${stats.size} bytes, over the limit of ${describeBytes(maxBytes)}`;
  return undefined;
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

export function describeBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

function failure(file: string, error: unknown, target?: string): FileRead {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const missing = NOT_THERE.has(code);
  const problem = missing ? `not found: ${file}` : `cannot read ${file}: ${(error as Error).message}`;
  return { ok: false, missing, problem, ...(target ? { target } : {}) };
}

function refused(file: string, target: string, why: string): FileRead {
  const through = target === file ? '' : ` (through the link to ${target})`;
  return { ok: false, missing: false, problem: `${file}${through} is not read: ${why}`, target };
}

/** Reads `file` (following links) when it is a regular file of at most `maxBytes` bytes. Never blocks on a FIFO. */
export function readRegularFileSync(file: string, maxBytes: number): FileRead {
  let target: string;
  try {
    target = realpathSync(file);
  } catch (error) {
    return failure(file, error);
  }
  let fd: number | undefined;
  try {
    const before = refusalOf(statSync(target), maxBytes);
    if (before) return refused(file, target, before);
    fd = openSync(target, OPEN_FLAGS);
    const after = refusalOf(fstatSync(fd), maxBytes);
    if (after) return refused(file, target, after);
    const buffer = Buffer.allocUnsafe(maxBytes + 1);
    let size = 0;
    for (let n; size <= maxBytes && (n = readSync(fd, buffer, size, maxBytes + 1 - size, null)) > 0; ) size += n;
    if (size > maxBytes) return refused(file, target, `it holds more than ${describeBytes(maxBytes)}`);
    return { ok: true, text: buffer.toString('utf8', 0, size), target };
  } catch (error) {
    return failure(file, error, target);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The same rules as `readRegularFileSync`, without blocking the event loop on a slow disk. */
export async function readRegularFile(file: string, maxBytes: number): Promise<FileRead> {
  let target: string;
  try {
    target = await realpath(file);
  } catch (error) {
    return failure(file, error);
  }
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    const before = refusalOf(await stat(target), maxBytes);
    if (before) return refused(file, target, before);
    handle = await open(target, OPEN_FLAGS);
    const after = refusalOf(await handle.stat(), maxBytes);
    if (after) return refused(file, target, after);
    const buffer = Buffer.allocUnsafe(maxBytes + 1);
    let size = 0;
    for (let n; size <= maxBytes && (n = (await handle.read(buffer, size, maxBytes + 1 - size, null)).bytesRead) > 0; ) size += n;
    if (size > maxBytes) return refused(file, target, `it holds more than ${describeBytes(maxBytes)}`);
    return { ok: true, text: buffer.toString('utf8', 0, size), target };
  } catch (error) {
    return failure(file, error, target);
  } finally {
    await handle?.close();
  }
}
