/**
 * Who is voting, without storing who they are. A vote stores only keyed hashes (HMAC-SHA-256) made with its day's
 * key:
 *
 * - the voter: a random id the server hands the browser in a cookie signed with the day's key, so a repeat vote
 *   that day replaces the first;
 * - the network: the client address (an IPv6 client's /64), so one network casts a few votes per page and day.
 *
 * Each UTC day has a key of its own: 32 random bytes, made by the first process that needs it, never derived
 * from anything. The store keeps it, so that every process and every instance uses the same one, but only
 * wrapped (AES-256-GCM) with the server's key — FEEDBACK_SECRET, or a key file kept outside the store's folder
 * — which never enters the store. Once the day is over its key is deleted from the store (and, with SQLite,
 * overwritten in the file and its log), so that day's hashes can no longer be tied to an address or to each
 * other by anyone, the server's key notwithstanding: nothing they could be made again from is left. While the
 * day lasts, a copy of the store alone cannot be tied to an address by trying addresses: its day key is
 * wrapped. The client chooses nothing that goes into either hash.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import {
  chmodSync,
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import ipaddr from 'ipaddr.js';
import { backendOf, sqlitePath } from './store.ts';

export const KEY_BYTES = 32;
export const COOKIE_NAME = 'dp_voter';

export class KeyError extends Error {}

/** A secret given as 64+ hex digits or as base64 of 32+ bytes. */
export function parseSecret(text: string): Buffer {
  const trimmed = text.trim();
  const key =
    /^[0-9a-f]+$/i.test(trimmed) && trimmed.length % 2 === 0
      ? Buffer.from(trimmed, 'hex')
      : Buffer.from(trimmed, 'base64');
  if (key.length < KEY_BYTES) {
    throw new KeyError(
      `FEEDBACK_SECRET must hold at least ${KEY_BYTES} random bytes (64 hex digits or 44 base64 characters)`,
    );
  }
  return key;
}

/**
 * Where the server's key is kept when FEEDBACK_KEY_FILE does not say: never beside the store, whose folder is
 * what gets copied (backups, snapshots), and a copy holding both the votes and the key could tie today's votes
 * to addresses. Under systemd, the credential the unit passes in (`LoadCredential=feedback.key:…`, readable by
 * the service alone); otherwise the user's state folder, `$XDG_STATE_HOME/dormant-ports/feedback.key`
 * (`~/.local/state/dormant-ports/feedback.key`).
 */
export function defaultKeyFile(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const credentials = env['CREDENTIALS_DIRECTORY'];
  if (credentials) return join(credentials, 'feedback.key');
  const state = env['XDG_STATE_HOME'] || join(env['HOME'] || homedir(), '.local', 'state');
  return join(state, 'dormant-ports', 'feedback.key');
}

/**
 * What is wrong with keeping the server's key in `keyFile` for the store at `url`, if anything: a key file in
 * the SQLite store's own folder goes wherever a copy of that folder goes.
 */
export function keyPlacementProblem(keyFile: string, url: string): string | undefined {
  if (backendOf(url) !== 'sqlite' || resolve(dirname(keyFile)) !== dirname(sqlitePath(url))) return undefined;
  return (
    `the key file ${keyFile} is in the store's folder, so a copy of that folder (a backup, a snapshot) could tie ` +
    `today's votes to addresses; keep it elsewhere (FEEDBACK_KEY_FILE, or unset for ${defaultKeyFile()})`
  );
}

/**
 * The key from `secret` when one is configured, else from `file`, which is created on first use. Several server
 * processes may start at once: the file is written under a temporary name and linked into place, so exactly
 * one key wins and every process reads that one.
 */
export function loadKey({ secret, file }: { secret?: string | undefined; file: string }): Buffer {
  if (secret) return parseSecret(secret);
  try {
    return readKeyFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, `${randomBytes(KEY_BYTES).toString('hex')}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
  return readKeyFile(file);
}

function readKeyFile(file: string): Buffer {
  const mode = statSync(file).mode & 0o777;
  // A key others can read protects nothing; tighten it rather than refuse to start.
  if (mode & 0o077) chmodSync(file, 0o600);
  try {
    return parseSecret(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new KeyError(`${file}: ${(error as Error).message.replace('FEEDBACK_SECRET', 'the key file')}`, {
      cause: error,
    });
  }
}

/**
 * What identifies a client's network: an IPv4 address as it is (IPv4-mapped IPv6 included), an IPv6 address by
 * its /64, the block one household or office is usually given. Anything unparseable stands for itself.
 */
export function networkOf(address: string): string {
  return blocksOf(address).network;
}

/**
 * A client's network and, for IPv6, the wider blocks it lies in: its /56 and /48. An ISP gives a customer a /64,
 * /56 or /48, so whoever holds a /48 holds 65,536 /64s; the store caps votes per /56 and /48 too.
 */
export function blocksOf(address: string): { network: string; network56?: string; network48?: string } {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return { network: `other:${address}` };
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return { network: v6.toIPv4Address().toString() };
    const [a, b, c, d] = v6.parts.map((part) => part.toString(16));
    return {
      network: `${a}:${b}:${c}:${d}::/64`,
      network56: `${a}:${b}:${c}:${(v6.parts[3]! & 0xff00).toString(16)}::/56`,
      network48: `${a}:${b}:${c}::/48`,
    };
  }
  return { network: parsed.toString() };
}

const b64 = (buffer: Buffer) => buffer.toString('base64url');

/** Where the day keys are kept (the store): the day's wrapped key, or `candidate` stored as it when there is none. */
export interface DayKeyStore {
  dayKey(day: string, candidate: string): Promise<string>;
}

/** A day key wrapped with the server's key: base64url of the 12-byte nonce, the ciphertext and the 16-byte tag. */
export function wrapDayKey(wrapping: KeyObject, day: string, key: Buffer): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', wrapping, nonce).setAAD(Buffer.from(`day ${day}`));
  return b64(Buffer.concat([nonce, cipher.update(key), cipher.final(), cipher.getAuthTag()]));
}

/** The day key inside `wrapped`; throws when another key wrapped it, or it was wrapped for another day. */
export function unwrapDayKey(wrapping: KeyObject, day: string, wrapped: string): Buffer {
  const bytes = Buffer.from(wrapped, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', wrapping, bytes.subarray(0, 12)).setAAD(Buffer.from(`day ${day}`));
  decipher.setAuthTag(bytes.subarray(-16));
  return Buffer.concat([decipher.update(bytes.subarray(12, -16)), decipher.final()]);
}

/** The key that wraps day keys, from the server's key; that is all the server's key is used for. */
export function wrappingKey(key: Buffer): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', key, 'dormant-ports feedback', 'day key wrapping', 32)));
}

/** The day a UTC instant falls on, as the store writes it: `2026-12-01`. */
export const dayOf = (at: Date) => at.toISOString().slice(0, 10);

/**
 * The visitor keys of each day, fetched from (or first put into) the store, one day at a time. Keys are held as
 * KeyObjects: an HMAC with a KeyObject takes about a sixth of the time of one with a Buffer, which Node turns into
 * a key afresh on every call — and every vote makes several.
 */
export class VisitorKeys {
  readonly #wrapping: KeyObject;
  readonly #store: DayKeyStore;
  #current: { day: string; keys: Promise<DayKeys> } | undefined;
  #midnight: NodeJS.Timeout | undefined;

  constructor(key: Buffer, store: DayKeyStore) {
    if (key.length < KEY_BYTES) throw new KeyError(`the key must be at least ${KEY_BYTES} bytes`);
    this.#wrapping = wrappingKey(key);
    this.#store = store;
  }

  /** The keys of `day`; the previous day's are dropped from memory, and from the store, as the day changes. */
  forDay(day: string): Promise<DayKeys> {
    if (this.#current?.day !== day) {
      const keys = this.#load(day);
      const current = { day, keys };
      this.#current = current;
      // A store that could not answer is asked again by the next vote.
      keys.catch(() => {
        if (this.#current === current) this.#current = undefined;
      });
    }
    return this.#current.keys;
  }

  async #load(day: string): Promise<DayKeys> {
    const wrapped = await this.#store.dayKey(day, wrapDayKey(this.#wrapping, day, randomBytes(KEY_BYTES)));
    let key: Buffer;
    try {
      key = unwrapDayKey(this.#wrapping, day, wrapped);
    } catch (error) {
      throw new KeyError(
        `the store's key for ${day} was wrapped with another server key: every instance needs the same FEEDBACK_SECRET`,
        { cause: error },
      );
    }
    this.#forgetAtMidnight();
    return new DayKeys(key);
  }

  /**
   * A quiet site may not vote for days: at each UTC midnight the new day's key is fetched all the same, which
   * deletes the old one from the store, so "once the day is over" does not wait for the next vote.
   */
  #forgetAtMidnight(): void {
    if (this.#midnight) return;
    const now = new Date();
    const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    this.#midnight = setTimeout(
      () => {
        this.#midnight = undefined;
        this.forDay(dayOf(new Date())).catch(() => undefined);
      },
      // A second past midnight: every process's clock agrees that the day has changed.
      next - now.getTime() + 1000,
    ).unref();
  }

  /** Stops the midnight timer (tests, and a server shutting down). */
  close(): void {
    clearTimeout(this.#midnight);
    this.#midnight = undefined;
  }
}

/** One day's keyed hashes and voter cookies; sync, so a vote makes them without waiting. */
export class DayKeys {
  readonly #key: KeyObject;

  constructor(key: Buffer) {
    this.#key = createSecretKey(key);
  }

  #hash(purpose: string, value: string): string {
    return b64(createHmac('sha256', this.#key).update(`${purpose}\0${value}`).digest());
  }

  /** The voter a cookie id stands for. */
  voter(voterId: string): string {
    return this.#hash('voter', voterId);
  }

  /** The network an address belongs to. */
  network(address: string): string {
    return this.#hash('network', networkOf(address));
  }

  /** The network an address belongs to and, for IPv6, its /56 and /48, each as its own hash. */
  networks(address: string): { network: string; network56?: string; network48?: string } {
    const blocks = blocksOf(address);
    return {
      network: this.#hash('network', blocks.network),
      ...(blocks.network56 ? { network56: this.#hash('network56', blocks.network56) } : {}),
      ...(blocks.network48 ? { network48: this.#hash('network48', blocks.network48) } : {}),
    };
  }

  /** The rate-limit key of an address. */
  rateKey(address: string): string {
    return this.#hash('rate', networkOf(address));
  }

  #sign(id: string): string {
    return b64(createHmac('sha256', this.#key).update(`cookie\0${id}`).digest().subarray(0, 16));
  }

  /** A new random voter id and the cookie value that carries it: `id.signature`. */
  issue(): { id: string; cookie: string } {
    const id = b64(randomBytes(16));
    return { id, cookie: `${id}.${this.#sign(id)}` };
  }

  /**
   * The voter id in a cookie value signed with this day's key, or undefined for anything else — a cookie from an
   * earlier day included, which the browser should have dropped at midnight anyway.
   */
  verify(cookie: string | undefined): string | undefined {
    const match = /^([\w-]{22})\.([\w-]{22})$/.exec(cookie ?? '');
    if (!match) return undefined;
    // Compared as text, so a non-canonical spelling of the same bytes is refused too.
    const given = Buffer.from(match[2]!);
    const expected = Buffer.from(this.#sign(match[1]!));
    return given.length === expected.length && timingSafeEqual(given, expected) ? match[1] : undefined;
  }
}
