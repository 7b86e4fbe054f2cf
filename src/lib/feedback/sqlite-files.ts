/**
 * The files of a SQLite store in WAL mode, as the operating system sees them: the main file, the write-ahead log
 * (`-wal`, the votes not yet copied into the main file) and the shared index (`-shm`, where in the log each page
 * is, and the locks every process takes there). Processes agree only as long as they all use the same three
 * files. Deleting the log or the index under a running server splits them: a process that opens the store
 * afterwards creates new side files while the others keep writing the deleted ones, and each overwrites what the
 * other acknowledged (issue 21, finding 2). sqlite.ts uses what is here to notice that and to refuse to be the
 * process that splits the store.
 *
 * Header layouts: https://www.sqlite.org/walformat.html (WAL header, big-endian; wal-index header, native order).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';

/** Which file a path names, and how long it is. */
export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
}

export function identityOf(path: string): FileIdentity | undefined {
  try {
    const { dev, ino, size } = statSync(path);
    return { dev, ino, size };
  } catch {
    return undefined;
  }
}

export const sameFile = (a: FileIdentity | undefined, b: FileIdentity | undefined) =>
  a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;

function head(path: string, bytes: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(bytes);
    return buffer.subarray(0, readSync(fd, buffer, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether the index at `<db>-shm` describes the log at `<db>-wal`: an index that knows no frame describes any
 * log; one that knows frames needs a log with the same salts, long enough to hold them. An index that was never
 * initialised (a file someone created) describes nothing. Read without SQLite's locks, so a writer updating the
 * header at that moment can make a sound pair look unsound; the caller then tries again later.
 */
export function sideFilesAgree(db: string): boolean {
  const index = head(`${db}-shm`, 48);
  if (!index || index.length < 48 || index[12] !== 1) return false;
  const mxFrame = index.readUInt32LE(16);
  if (mxFrame === 0) return true;
  const raw = index.readUInt16LE(14);
  const pageSize = raw === 1 ? 65536 : raw;
  const log = identityOf(`${db}-wal`);
  const header = head(`${db}-wal`, 32);
  if (!log || !header || header.length < 32) return false;
  // The index keeps the log's salts as the bytes they are in the log's header.
  return log.size >= 32 + mxFrame * (24 + pageSize) && header.subarray(16, 24).equals(index.subarray(32, 40));
}

/**
 * True when no other connection, in this process or another, has the store open. In WAL mode every open
 * connection holds a shared lock on the main file for as long as it is open, a lock on the main file itself and
 * so out of reach of whatever happens to the side files; a connection in exclusive locking mode must take an
 * exclusive lock on the main file before it writes, which it gets only when it is alone. Exclusive mode from the
 * start keeps the probe's index in its own memory, so it never opens the `-shm` file; when alone, its close
 * copies any log left by a crash into the main file, as SQLite's recovery would.
 */
export function aloneOn(db: string): boolean {
  const url = pathToFileURL(db);
  // `rw`: a probe never creates the file it asks about.
  url.searchParams.set('mode', 'rw');
  const probe = new DatabaseSync(url, { timeout: 0 });
  try {
    probe.exec('PRAGMA locking_mode = EXCLUSIVE');
    probe.exec('BEGIN IMMEDIATE');
    probe.exec('ROLLBACK');
    return true;
  } catch (error) {
    if ((Number((error as { errcode?: unknown }).errcode) & 0xff) === 5) return false;
    throw error;
  } finally {
    probe.close();
  }
}
