/**
 * A real nginx in a temp prefix for tests of the reverse-proxy setup. The caller writes what goes inside `http {}`
 * (upstreams, server blocks); this module wraps it in a complete nginx.conf that keeps every path nginx writes
 * (pid, logs, temp files) inside the prefix, checks it with `nginx -t`, starts nginx in the foreground and waits
 * until it answers HTTP.
 *
 *   const nginx = await startNginx({
 *     config: ({ port }) => renderTemplate(readFileSync(SITE_CONFIG, 'utf8'), {
 *       listen: `127.0.0.1:${port}`, server_name: 'localhost', root: distClient, headers: headersFile,
 *       upstreams: apis.map((api) => `server 127.0.0.1:${api.port};`).join('\n'),
 *     }),
 *   });
 *   after(() => nginx.stop());
 *   await fetch(`${nginx.origin}/api/feedback`, …);
 *
 * The config must listen on 127.0.0.1:<port>, which is where readiness is checked. Install: `apt-get install nginx`
 * (the site it enables on port 80 is not used and the service can stay stopped); elsewhere set NGINX_BIN.
 * Dynamic modules are not loaded (Debian's modules-enabled is not included).
 *
 * As root (CI), the workers run as nobody (override with `user`), as production workers run unprivileged too:
 * every `root`/`alias` directory the config names must be readable by them, all the way down from `/` — a dir from
 * mkdtemp is 0700 and needs chmod 755, and so does a checkout under /root. startNginx checks this and says so.
 *
 * Cleanup: stop() ends nginx and removes the prefix. A process that exits without it ends nginx from an exit hook;
 * one killed outright has a detached watchdog shell, waiting on a pipe from this process, end it instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { freePort, ROOT } from './server.ts';

/** The production site config, a template for renderTemplate(). */
export const SITE_CONFIG = resolve(ROOT, 'deploy/nginx/dormant-ports.conf');

export interface NginxContext {
  /** The free port the config must listen on, at 127.0.0.1. */
  port: number;
  /** The temp dir nginx runs in; the caller may put files there (it is world-readable). */
  prefix: string;
}

export interface NginxOptions {
  /** What goes inside `http {}`; called again by reload(), so it may read state that changed. */
  config: (ctx: NginxContext) => string;
  /** The worker user when running as root, e.g. 'www-data' or 'root'; default nobody with its own group. */
  user?: string;
  workerProcesses?: number;
  workerConnections?: number;
}

export interface RunningNginx {
  origin: string;
  port: number;
  prefix: string;
  /** Fast shutdown (SIGTERM: open requests are cut), then the prefix is removed. */
  stop(): Promise<void>;
  /**
   * Renders the config again, checks it and makes nginx load it (SIGHUP); resolves once new workers run and the
   * old ones have exited (at most worker_shutdown_timeout, 5 s, after finishing or cutting their requests).
   */
  reload(): Promise<void>;
  /** nginx's error log (notice level and up); still readable after stop(). */
  errorLog(): string;
  /** The access log: request, status, `upstream=` address(es) tried and their statuses, request time. */
  accessLog(): string;
}

/** Why nginx tests cannot run here, or undefined when they can. */
export function nginxUnavailable(): string | undefined {
  const bin = nginxBin();
  if (!bin) return 'nginx not installed: apt-get install nginx (or set NGINX_BIN)';
  if (!nginxVersion(bin)) return `${bin} -v does not say which nginx it is`;
  if (isRoot() && !workerIdentity(undefined)) return 'running as root, but there is no nobody user for the workers';
  return undefined;
}

/**
 * Fills `{{name}}` placeholders; every placeholder needs a value and every value a placeholder. Comment lines are
 * left as they are, so a template can document its placeholders (a multi-line value would break out of them).
 */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  const used = new Set<string>();
  const fill = (line: string) =>
    line.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
      const value = values[name];
      if (value === undefined) throw new Error(`no value for {{${name}}}`);
      used.add(name);
      return value;
    });
  const rendered = template
    .split('\n')
    .map((line) => (line.trimStart().startsWith('#') ? line : fill(line)))
    .join('\n');
  const unused = Object.keys(values).filter((name) => !used.has(name));
  if (unused.length) throw new Error(`the template has no {{${unused.join('}}, {{')}}}`);
  return rendered;
}

export async function startNginx(options: NginxOptions): Promise<RunningNginx> {
  const reason = nginxUnavailable();
  if (reason) throw new Error(reason);
  const bin = nginxBin() as string;
  const worker = isRoot() ? workerIdentity(options.user) : undefined;
  if (isRoot() && !worker) throw new Error(`no user ${options.user ?? 'nobody'} for the nginx workers`);

  const prefix = mkdtempSync(join(tmpdir(), 'dormant-nginx-'));
  // Workers reach their temp dirs, and any files the caller puts here, through the prefix.
  chmodSync(prefix, 0o755);
  // nginx creates each temp dir, but not its parent.
  mkdirSync(join(prefix, 'temp'), { mode: 0o755 });
  const confPath = join(prefix, 'nginx.conf');
  const errorLogPath = join(prefix, 'error.log');
  const accessLogPath = join(prefix, 'access.log');
  const stderrPath = join(prefix, 'stderr.log');
  const pidPath = join(prefix, 'nginx.pid');
  // Before 1.19.5 there is no -e, and nginx first complains that it cannot open the compiled-in error log.
  const errorLogFlag = versionAtLeast(nginxVersion(bin) ?? [0, 0, 0], [1, 19, 5]) ? ['-e', errorLogPath] : [];
  const baseArgs = ['-p', `${prefix}/`, '-c', confPath, ...errorLogFlag];

  const workers = options.workerProcesses ?? 1;
  let port = 0;
  let child: ChildProcess | undefined;
  let finalLogs: { error: string; access: string } | undefined;
  const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  const errorLog = () => finalLogs?.error ?? read(errorLogPath);
  const accessLog = () => finalLogs?.access ?? read(accessLogPath);

  const entry: Entry = { prefix, pidPath, child: undefined, watchdog: undefined };
  entries.add(entry);

  const writeConfig = () => {
    const body = options.config({ port, prefix });
    if (worker) checkReadable(body, worker);
    const conf = wrap(body, { prefix, worker, options });
    writeFileSync(confPath, conf);
    const test = spawnSync(bin, ['-t', '-q', ...baseArgs], { encoding: 'utf8', cwd: prefix });
    if (test.status !== 0) {
      const message = `${test.stderr}${test.stdout}`.trim() || `nginx -t exited with ${test.status}`;
      throw new Error(`nginx rejected the config:\n${message}\n${excerpt(conf, message, confPath)}`);
    }
  };

  const stop = async () => {
    entries.delete(entry);
    const running = child;
    if (running && running.exitCode === null && running.signalCode === null) {
      running.ref();
      await new Promise<void>((done) => {
        const kill = setTimeout(() => running.kill('SIGKILL'), 10_000);
        running.once('exit', () => {
          clearTimeout(kill);
          done();
        });
        running.kill('SIGTERM');
      });
    }
    entry.watchdog?.kill();
    finalLogs ??= { error: read(errorLogPath), access: read(accessLogPath) };
    rmSync(prefix, { recursive: true, force: true });
  };

  const reload = async () => {
    const running = child;
    if (!running?.pid || running.exitCode !== null) throw new Error(`nginx is not running\n${tail(errorLog())}`);
    writeConfig();
    const offset = Buffer.byteLength(read(errorLogPath));
    running.kill('SIGHUP');
    const deadline = Date.now() + 10_000;
    for (;;) {
      const news = Buffer.from(read(errorLogPath)).subarray(offset).toString('utf8');
      // The master keeps the old config when the new one fails at this stage (a port taken, say).
      if (/\[emerg\]/.test(news)) throw new Error(`nginx did not take the new config:\n${news.trim()}`);
      // Done once the old workers are gone too: until then they still serve their keep-alive connections.
      const exited = news.match(/worker process \d+ exited/g)?.length ?? 0;
      if (/start worker process \d+/.test(news) && exited >= workers) return;
      if (Date.now() > deadline) throw new Error(`nginx did not reload within 10 s:\n${news.trim()}`);
      await sleep(20);
    }
  };

  try {
    // Another process can take the port between freePort() and the bind, so a taken port means another try.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      writeConfig();
      const stderrFd = openSync(stderrPath, 'a');
      const started = spawn(bin, baseArgs, { cwd: prefix, stdio: ['ignore', 'ignore', stderrFd] });
      closeSync(stderrFd);
      started.on('error', () => undefined);
      // A test that forgets stop() should still end; the exit hook then ends nginx.
      started.unref();
      child = started;
      entry.child = started;
      const failure = await waitUntilServing(started, port);
      if (!failure) break;
      const log = `${read(stderrPath)}${read(errorLogPath)}`;
      if (attempt < 3 && /Address already in use/.test(log)) {
        writeFileSync(errorLogPath, '');
        writeFileSync(stderrPath, '');
        continue;
      }
      throw new Error(`nginx did not start on port ${port}: ${failure}\n${tail(log)}`);
    }
    entry.watchdog = startWatchdog(child.pid as number, prefix);
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  return { origin: `http://127.0.0.1:${port}`, port, prefix, stop, reload, errorLog, accessLog };
}

interface Identity {
  user: string;
  group: string;
  uid: number;
  gid: number;
}

function wrap(
  body: string,
  { prefix, worker, options }: { prefix: string; worker?: Identity | undefined; options: NginxOptions },
) {
  const temp = (name: string) => join(prefix, 'temp', name);
  const mimeTypes = existsSync('/etc/nginx/mime.types') ? 'include /etc/nginx/mime.types;' : MINIMAL_TYPES;
  return `# Written by tests/support/nginx.ts; the caller's part follows "# ---".
${worker ? `user ${worker.user} ${worker.group};\n` : ''}daemon off;
master_process on;
worker_processes ${options.workerProcesses ?? 1};
# Old workers finishing long requests would otherwise hold a reload or a stop open.
worker_shutdown_timeout 5s;
pid ${join(prefix, 'nginx.pid')};
# notice: reload() follows the worker processes starting and exiting here.
error_log ${join(prefix, 'error.log')} notice;

events {
    worker_connections ${options.workerConnections ?? 1024};
}

http {
    ${mimeTypes}
    default_type application/octet-stream;
    types_hash_max_size 2048;
    log_format test_support '$remote_addr "$request" $status $body_bytes_sent '
                            'upstream=$upstream_addr upstream_status=$upstream_status rt=$request_time';
    access_log ${join(prefix, 'access.log')} test_support;
    client_body_temp_path ${temp('client_body')};
    proxy_temp_path ${temp('proxy')};
    fastcgi_temp_path ${temp('fastcgi')};
    uwsgi_temp_path ${temp('uwsgi')};
    scgi_temp_path ${temp('scgi')};

    # ---
${body}
}
`;
}

const MINIMAL_TYPES = `types {
        text/html html;
        text/css css;
        text/plain txt;
        text/xml xml;
        application/javascript js mjs;
        application/json json;
        application/wasm wasm;
        image/svg+xml svg;
        image/png png;
        image/webp webp;
        image/x-icon ico;
        font/woff2 woff2;
    }`;

/**
 * Throws when a `root` or `alias` the config names exists but the workers could not read it, which nginx would
 * only report as a 403 or 404 per request. Checks plain mode bits (no ACLs), as a worker with no supplementary
 * groups sees them.
 */
function checkReadable(config: string, worker: Identity) {
  for (const match of config.matchAll(/(?:^|[\s;{])(?:root|alias)\s+("?)([^;"\s]+)\1\s*;/g)) {
    const path = match[2];
    if (!path || path.includes('$') || !path.startsWith('/') || !existsSync(path)) continue;
    const denied = unreadable(path, worker);
    if (denied) {
      throw new Error(
        `nginx workers run as ${worker.user} and cannot read ${path}: ${denied} (chmod o+rx it; mkdtemp makes 0700 dirs)`,
      );
    }
  }
}

function unreadable(path: string, worker: Identity): string | undefined {
  const allowed = (target: string, bits: number) => {
    const stat = statSync(target);
    const shift = stat.uid === worker.uid ? 6 : stat.gid === worker.gid ? 3 : 0;
    return ((stat.mode >> shift) & bits) === bits;
  };
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (!allowed(dir, 0o1)) return `${dir} is not searchable by it`;
    if (dir === dirname(dir)) break;
  }
  const isDir = statSync(path).isDirectory();
  if (!allowed(path, isDir ? 0o5 : 0o4))
    return `${path} itself is not ${isDir ? 'readable and searchable' : 'readable'}`;
  return undefined;
}

function excerpt(conf: string, message: string, confPath: string): string {
  const line = Number(message.match(new RegExp(`${escapeRegExp(confPath)}:(\\d+)`))?.[1]);
  if (!line) return '';
  return conf
    .split('\n')
    .map((text, index) => `${index + 1 === line ? '>' : ' '}${String(index + 1).padStart(4)}  ${text}`)
    .slice(Math.max(0, line - 4), line + 3)
    .join('\n');
}

/** Resolves undefined once nginx answers HTTP on the port, or a reason once it has exited or timed out. */
async function waitUntilServing(child: ChildProcess, port: number): Promise<string | undefined> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      return `nginx exited (${child.exitCode ?? child.signalCode})`;
    if (await answers(port)) return undefined;
    if (Date.now() > deadline) return 'no HTTP answer within 10 s';
    await sleep(20);
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((done) => {
    // No agent: a pooled keep-alive socket would outlive the check.
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      done(true);
    });
    req.once('timeout', () => {
      req.destroy();
    });
    req.once('error', () => {
      done(false);
    });
    req.end();
  });
}

interface Entry {
  prefix: string;
  pidPath: string;
  child: ChildProcess | undefined;
  watchdog: ChildProcess | undefined;
}

const entries = new Set<Entry>();

// Only synchronous work runs in an exit hook. nginx deletes its pid file on the way out, which is the sign to
// wait for: an exited child of this process stays a zombie (and so signalable) until the event loop reaps it.
process.on('exit', () => {
  for (const entry of entries) {
    entry.child?.kill('SIGTERM');
    const deadline = Date.now() + 3000;
    while (existsSync(entry.pidPath) && Date.now() < deadline) Atomics.wait(SLEEPER, 0, 0, 20);
    entry.watchdog?.kill();
    rmSync(entry.prefix, { recursive: true, force: true });
  }
});
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/**
 * A detached shell that blocks reading a pipe only this process writes to. The kernel closes the pipe whenever
 * this process ends, however it ends; the shell then ends nginx and removes the prefix.
 */
function startWatchdog(pid: number, prefix: string): ChildProcess | undefined {
  try {
    const script = 'read _; kill -TERM "$1" 2>/dev/null; sleep 1; rm -rf "$2"';
    const watchdog = spawn('/bin/sh', ['-c', script, 'watchdog', String(pid), prefix], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      cwd: tmpdir(),
    });
    watchdog.on('error', () => undefined);
    watchdog.unref();
    (watchdog.stdin as Socket | null)?.unref();
    return watchdog;
  } catch {
    return undefined;
  }
}

function nginxBin(): string | undefined {
  const fromEnv = process.env['NGINX_BIN'];
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/usr/local/sbin'];
  return dirs.map((dir) => join(dir, 'nginx')).find((path) => existsSync(path));
}

const versions = new Map<string, [number, number, number] | undefined>();

function nginxVersion(bin: string): [number, number, number] | undefined {
  if (!versions.has(bin)) {
    const result = spawnSync(bin, ['-v'], { encoding: 'utf8' });
    const match = `${result.stderr}${result.stdout}`.match(/nginx\/(\d+)\.(\d+)\.(\d+)/);
    versions.set(bin, match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined);
  }
  return versions.get(bin);
}

function versionAtLeast(version: readonly number[], minimum: readonly number[]): boolean {
  for (let i = 0; i < minimum.length; i++) {
    const have = version[i] ?? 0;
    const want = minimum[i] ?? 0;
    if (have !== want) return have > want;
  }
  return true;
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function workerIdentity(user: string | undefined): Identity | undefined {
  const name = user ?? 'nobody';
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  const group = spawnSync('id', ['-gn', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0 || group.status !== 0) return undefined;
  return { user: name, group: group.stdout.trim(), uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function sleep(ms: number) {
  return new Promise((done) => setTimeout(done, ms));
}
