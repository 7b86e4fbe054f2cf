/**
 * The production server's settings, all from the environment, checked once at start-up: a wrong value stops the
 * server with a message naming the variable, rather than surfacing later as odd behaviour. The README's
 * "Running it" table documents each one.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import proxyaddr from 'proxy-addr';
import { defaultKeyFile, parseSecret } from '../lib/feedback/identity.ts';
import { backendOf, DEFAULT_DB_URL } from '../lib/feedback/store.ts';

export interface ServerConfig {
  host: string;
  port: number;
  workers: number;
  /** The built site (`npm run build` writes it to dist/). */
  root: string;
  /** The public origin, e.g. https://dormantports.example; also a page origin the feedback API accepts. */
  siteOrigin: string;
  /** Other origins (a static copy of the site elsewhere) whose pages may post feedback here. */
  feedbackOrigins: ReadonlySet<string>;
  /** Which peers' `X-Forwarded-For` to believe; nobody's unless TRUST_PROXY says so. */
  trustProxy: (address: string, hop: number) => boolean;
  trustProxySetting: string;
  store: { url: string; poolSize: number; ssl: string | undefined; busyTimeout: number };
  secret: string | undefined;
  keyFile: string;
  limits: { perNetwork: number; perMinute: number };
  adminToken: string | undefined;
  timeouts: { headers: number; request: number; keepAlive: number; idle: number };
  maxConnections: number;
  /** Connections one client address (an IPv6 /64) may hold per worker; proxies TRUST_PROXY names are exempt. */
  maxConnectionsPerClient: number;
  /** Host names requests may name (SITE_URL's, HOST's, FEEDBACK_ORIGINS', SERVE_HOSTS), or any. */
  hosts: ReadonlySet<string> | 'any';
  /** Who restarts the server if its supervisor dies: itself (its workers start a new one), or systemd. */
  supervisor: 'self' | 'systemd';
  /** How long a worker may leave the supervisor's heartbeat unanswered before it is replaced. */
  workerTimeout: number;
  /** Where compressed copies of the build's files are kept: written by the server, outside the build. */
  cacheDir: string;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

function origin(name: string, raw: string): string {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    return url.origin;
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL such as https://dormantports.example, not "${raw}"`);
  }
}

/**
 * TRUST_PROXY: unset or `false` trusts no one (the socket's address is the client); a number trusts that many
 * proxy hops in front of the server; anything else is a comma-separated list of proxy addresses, CIDR blocks or
 * `loopback`, `linklocal`, `uniquelocal`, as Express's `trust proxy` setting (both use proxy-addr).
 */
function trust(raw: string | undefined): ServerConfig['trustProxy'] {
  const setting = (raw ?? '').trim();
  if (setting === '' || setting === 'false' || setting === '0') return () => false;
  if (/^\d+$/.test(setting)) {
    const hops = Number(setting);
    return (_address, hop) => hop < hops;
  }
  try {
    return proxyaddr.compile(setting.split(',').map((part) => part.trim()));
  } catch (error) {
    throw new ConfigError(`TRUST_PROXY: ${(error as Error).message}`);
  }
}

export function readConfig(env: Env = process.env): ServerConfig {
  const config = read(env);
  if (config.workerTimeout <= config.store.busyTimeout) {
    // A worker waiting for SQLite's lock does not answer the heartbeat meanwhile; it is busy, not hung.
    throw new ConfigError('SERVE_WORKER_TIMEOUT_MS must be longer than FEEDBACK_DB_BUSY_TIMEOUT_MS');
  }
  if (config.timeouts.headers > config.timeouts.request) {
    throw new ConfigError('SERVE_HEADERS_TIMEOUT_MS must not be longer than SERVE_REQUEST_TIMEOUT_MS');
  }
  if (config.timeouts.keepAlive >= config.timeouts.idle) {
    // Clients keep an idle connection as long as the Keep-Alive header promises; one the idle timeout closed
    // first fails their next request.
    throw new ConfigError('SERVE_KEEP_ALIVE_TIMEOUT_MS must be shorter than SERVE_IDLE_TIMEOUT_MS');
  }
  // Checked here, in the supervisor, rather than when each worker opens the store: a worker that cannot start
  // would be restarted again and again, and the site would never answer.
  let backend: ReturnType<typeof backendOf>;
  try {
    backend = backendOf(config.store.url);
    if (config.secret) parseSecret(config.secret);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  // A PostgreSQL store is shared by several instances, and so must be the key: were each instance to make a key
  // file of its own, a reader would be someone else on every instance, and so would their network, so neither
  // the per-network cap nor the rate limit would count across instances. A key file must therefore be named on
  // purpose: the default one may be a key an earlier SQLite run made for this machine alone.
  if (backend === 'postgres' && !config.secret && !(env['FEEDBACK_KEY_FILE'] && existsSync(config.keyFile))) {
    throw new ConfigError(
      'FEEDBACK_SECRET must be set when FEEDBACK_DB_URL is PostgreSQL, the same on every instance (or point ' +
        `FEEDBACK_KEY_FILE at an existing key file they share${env['FEEDBACK_KEY_FILE'] ? `; ${config.keyFile} does not exist` : ''})`,
    );
  }
  return config;
}

function read(env: Env): ServerConfig {
  const port = integer(env, 'PORT', 4321, 0, 65535);
  const root = resolve(env['SERVE_ROOT'] || 'dist');
  // Enough for a crawler that opens a connection per request (idle ones linger for the keep-alive timeout),
  // few enough that the process stays within a usual open-file limit.
  const maxConnections = integer(env, 'SERVE_MAX_CONNECTIONS', 8192, 1, 1_000_000);
  const host = env['HOST'] || '127.0.0.1';
  const siteOrigin = origin('SITE_URL', env['SITE_URL'] || `http://${host.includes(':') ? `[${host}]` : host}:${port}`);
  const feedbackOrigins = new Set(
    (env['FEEDBACK_ORIGINS'] ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean)
      .map((item) => origin('FEEDBACK_ORIGINS', item)),
  );
  const config = {
    host,
    port,
    workers: integer(env, 'SERVE_WORKERS', availableParallelism(), 1, 256),
    root,
    siteOrigin,
    feedbackOrigins,
    trustProxy: trust(env['TRUST_PROXY']),
    trustProxySetting: env['TRUST_PROXY'] ?? '',
    store: {
      url: env['FEEDBACK_DB_URL'] || DEFAULT_DB_URL,
      poolSize: integer(env, 'FEEDBACK_DB_POOL', 10, 1, 200),
      ssl: env['FEEDBACK_DB_SSL'] || undefined,
      busyTimeout: integer(env, 'FEEDBACK_DB_BUSY_TIMEOUT_MS', 5000, 0, 600_000),
    },
    secret: env['FEEDBACK_SECRET'] || undefined,
    keyFile: resolve(env['FEEDBACK_KEY_FILE'] || defaultKeyFile(env)),
    limits: {
      perNetwork: integer(env, 'FEEDBACK_VOTES_PER_NETWORK', 3, 1, 1_000_000_000),
      perMinute: integer(env, 'FEEDBACK_RATE_LIMIT', 30, 1, 1_000_000_000),
    },
    adminToken: env['FEEDBACK_ADMIN_TOKEN'] || undefined,
    timeouts: {
      headers: integer(env, 'SERVE_HEADERS_TIMEOUT_MS', 10_000, 1000, 600_000),
      request: integer(env, 'SERVE_REQUEST_TIMEOUT_MS', 30_000, 1000, 600_000),
      keepAlive: integer(env, 'SERVE_KEEP_ALIVE_TIMEOUT_MS', 5_000, 0, 600_000),
      idle: integer(env, 'SERVE_IDLE_TIMEOUT_MS', 30_000, 1000, 600_000),
    },
    maxConnections,
  };
  return { ...config, ...serving(env, config) };
}

/** The production server's own settings, beside the store's above. */
function serving(
  env: Env,
  {
    host,
    siteOrigin,
    feedbackOrigins,
    maxConnections,
    root,
  }: Pick<ServerConfig, 'host' | 'siteOrigin' | 'feedbackOrigins' | 'maxConnections' | 'root'>,
): Pick<ServerConfig, 'supervisor' | 'hosts' | 'maxConnectionsPerClient' | 'workerTimeout' | 'cacheDir'> {
  const supervisor = env['SERVE_SUPERVISOR'] || 'self';
  if (supervisor !== 'self' && supervisor !== 'systemd') {
    throw new ConfigError(`SERVE_SUPERVISOR must be self or systemd, not "${supervisor}"`);
  }
  const extra = (env['SERVE_HOSTS'] ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const name = (origin: string) => new URL(origin).hostname.replace(/^\[(.*)\]$/, '$1');
  const hosts = new Set([name(siteOrigin), ...[...feedbackOrigins].map(name), ...extra]);
  // A name clients can use for the address it listens on; 0.0.0.0 and :: are not one.
  if (!['0.0.0.0', '::', ''].includes(host)) hosts.add(host.toLowerCase());
  if (/^(127\.|::1$|localhost$)/.test(host))
    ['localhost', '127.0.0.1', '::1'].forEach((loopback) => hosts.add(loopback));
  return {
    supervisor,
    hosts: extra.includes('*') ? 'any' : hosts,
    maxConnectionsPerClient: Math.min(
      maxConnections,
      integer(env, 'SERVE_MAX_CONNECTIONS_PER_CLIENT', 64, 1, 1_000_000),
    ),
    workerTimeout: integer(env, 'SERVE_WORKER_TIMEOUT_MS', 15_000, 1000, 600_000),
    cacheDir: resolve(env['SERVE_CACHE_DIR'] || resolve(root, '..', 'dist-server')),
  };
}
