/** `npm run registry:update` against a local server standing in for IANA, and against no server at all. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { ROOT } from '../support/server.ts';

const FIXTURE = join(ROOT, 'tests/fixtures/registry/tricky.csv');
const fixture = readFileSync(FIXTURE, 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'dormant-ports-registry-'));
const snapshot = join(dir, 'snapshot.csv');
// The history beside the snapshot (content/registry/history.csv), ending with the snapshot's version.
const history = join(dir, 'history.csv');
const recorded = 'date,kind,port,protocol,service,field,from,to\n2026-01-01,version,,,,,,fixture\n';
let served = '';
let server: Server;
let origin = '';

before(async () => {
  server = createServer((_, res) => res.end(served));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  copyFileSync(FIXTURE, snapshot);
  writeFileSync(history, recorded);
});

/** Runs the script in a child process; asynchronously, so this process's server can answer it. */
function update(url: string): Promise<{ status: number; output: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(ROOT, 'src/cli/registry-update.ts')],
      { env: { ...process.env, REGISTRY_URL: url, DORMANT_PORTS_REGISTRY: snapshot }, encoding: 'utf8' },
      (error, stdout, stderr) => {
        done({ status: error ? Number(error.code) : 0, output: `${stdout}${stderr}` });
      },
    );
  });
}

test('replaces the snapshot with a valid download and reports what changed', async () => {
  served =
    fixture.replace(/echo,7,udp[^\n]*\n/, '').replace(/echo,7,tcp[^\n]*\n/, '') +
    'newsvc,4100,tcp,New,[A_B],[A_B],2026-11,,,,,\n';
  const { status, output } = await update(`${origin}/registry.csv`);
  assert.equal(status, 0, output);
  assert.match(output, /Added: 1\n {2}4100 newsvc/);
  assert.match(output, /De-assigned: 1\n {2}7 echo/);
  assert.equal(readFileSync(snapshot, 'utf8'), served);
});

test('records the step in the history, first seen today', async () => {
  served = fixture.replace(/echo,7,udp[^\n]*\n/, '') + 'newsvc,4100,tcp,New,[A_B],[A_B],2026-11,,,,,\n';
  const { status, output } = await update(`${origin}/registry.csv`);
  assert.equal(status, 0, output);
  const today = new Date().toISOString().slice(0, 10);
  assert.match(output, new RegExp(`Recorded the step in .*history\\.csv as first seen on ${today}`));
  const lines = readFileSync(history, 'utf8').slice(recorded.length).trim().split('\n');
  assert.deepEqual(lines, [
    `${today},version,,,,,,127.0.0.1:${new URL(origin).port}`,
    `${today},removed,7,udp,echo,description,Echo,`,
    `${today},removed,7,udp,echo,assignee,[Jon_Postel],`,
    `${today},removed,7,udp,echo,contact,[Jon_Postel],`,
    `${today},removed,7,udp,echo,reference,[RFC862],`,
    `${today},added,4100,tcp,newsvc,,,`,
  ]);
});

test('refuses a download that is not the registry CSV and leaves the snapshot alone', async () => {
  served = '<html>Service temporarily unavailable</html>';
  const { status, output } = await update(`${origin}/registry.csv`);
  assert.equal(status, 1);
  assert.match(output, /not IANA's registry CSV: unexpected header/);
  assert.equal(readFileSync(snapshot, 'utf8'), fixture);
  assert.equal(readFileSync(history, 'utf8'), recorded);
});

test('refuses a download that lost many rows', async () => {
  served = fixture.split('\n').slice(0, 2).join('\n') + '\n';
  const { status, output } = await update(`${origin}/registry.csv`);
  assert.equal(status, 1);
  assert.match(output, /too many lost to be a real update/);
  assert.equal(readFileSync(snapshot, 'utf8'), fixture);
  assert.equal(readFileSync(history, 'utf8'), recorded);
});

test('fails clearly when offline', async () => {
  const { status, output } = await update('http://127.0.0.1:9/registry.csv');
  assert.equal(status, 1);
  assert.match(output, /could not download .* Are you offline\?/);
  assert.match(output, /unchanged/);
  assert.equal(readFileSync(snapshot, 'utf8'), fixture);
});
