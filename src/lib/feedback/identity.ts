/**
 * Who is voting, without storing who they are. One secret key (FEEDBACK_SECRET, or a key file created with mode
 * 0600 on first run) never enters the database; each day gets its own key derived from it with HKDF, and a vote
 * stores only keyed hashes made with that day's key:
 *
 * - the voter: a random id the server hands the browser in a signed cookie, so a repeat vote replaces the first;
 * - the network: the client address (an IPv6 client's /64), so one network casts a few votes per page and day.
 *
 * Without the key, a copy of the database cannot be tied to an address by trying addresses, and two days of
 * votes cannot be linked to each other. The client chooses nothing that goes into either hash.
 */
import { createHmac, createSecretKey, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
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
import { dirname } from 'node:path';
import ipaddr from 'ipaddr.js';

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
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return `other:${address}`;
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
    return `${v6.parts
      .slice(0, 4)
      .map((part) => part.toString(16))
      .join(':')}::/64`;
  }
  return parsed.toString();
}

const b64 = (buffer: Buffer) => buffer.toString('base64url');

/**
 * Keys are held as KeyObjects: an HMAC with a KeyObject takes about a sixth of the time of one with a Buffer,
 * which Node turns into a key afresh on every call — and every vote makes four.
 */
export class VisitorKeys {
  readonly #key: KeyObject;
  #day: { day: string; key: KeyObject } | undefined;

  constructor(key: Buffer) {
    if (key.length < KEY_BYTES) throw new KeyError(`the key must be at least ${KEY_BYTES} bytes`);
    this.#key = createSecretKey(key);
  }

  /** The day's key: derived, never stored, so nothing in the database helps rebuild it. */
  #dayKey(day: string): KeyObject {
    if (this.#day?.day !== day) {
      const derived = hkdfSync('sha256', this.#key, 'dormant-ports feedback', `day ${day}`, 32);
      this.#day = { day, key: createSecretKey(Buffer.from(derived)) };
    }
    return this.#day.key;
  }

  #hash(day: string, purpose: string, value: string): string {
    return b64(createHmac('sha256', this.#dayKey(day)).update(`${purpose}\0${value}`).digest());
  }

  /** The voter a cookie id stands for on `day`. */
  voter(day: string, voterId: string): string {
    return this.#hash(day, 'voter', voterId);
  }

  /** The network an address belongs to, on `day`. */
  network(day: string, address: string): string {
    return this.#hash(day, 'network', networkOf(address));
  }

  /** The rate-limit key of an address for one minute. */
  rateKey(day: string, address: string): string {
    return this.#hash(day, 'rate', networkOf(address));
  }

  #sign(id: string): string {
    return b64(createHmac('sha256', this.#key).update(`cookie\0${id}`).digest().subarray(0, 16));
  }

  /** A new random voter id and the cookie value that carries it: `id.signature`. */
  issue(): { id: string; cookie: string } {
    const id = b64(randomBytes(16));
    return { id, cookie: `${id}.${this.#sign(id)}` };
  }

  /** The voter id in a cookie value this server signed, or undefined for anything else. */
  verify(cookie: string | undefined): string | undefined {
    const match = /^([\w-]{22})\.([\w-]{22})$/.exec(cookie ?? '');
    if (!match) return undefined;
    // Compared as text, so a non-canonical spelling of the same bytes is refused too.
    const given = Buffer.from(match[2]!);
    const expected = Buffer.from(this.#sign(match[1]!));
    return given.length === expected.length && timingSafeEqual(given, expected) ? match[1] : undefined;
  }
}
