/**
 * A malformed port page must stop the build with a message that names the file and the field. Each case copies
 * the project to a temporary folder (its own `.astro` cache), writes one broken page and runs Astro for real.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { BUILD_INPUTS, copyProject } from '../support/project-copy.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const GOOD = readFileSync(join(ROOT, 'content/ports/3515.mdx'), 'utf8');
const made: string[] = [];

after(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A throwaway copy of the project whose only port page is `fileName` with `text`. */
function projectWith(fileName: string, text: string): { dir: string; page: string } {
  const dir = copyProject('dormant-ports-content-', BUILD_INPUTS);
  made.push(dir);
  const pages = join(dir, 'fixture-ports');
  mkdirSync(pages);
  const page = join(pages, fileName);
  writeFileSync(page, text);
  return { dir, page };
}

// A small registry keeps each build to a few pages; it lists 3515 as IANA does.
const REGISTRY = join(ROOT, 'tests/fixtures/registry/tricky.csv');

function astro(command: 'sync' | 'build', dir: string) {
  const result = spawnSync(process.execPath, [join(dir, 'node_modules/astro/bin/astro.mjs'), command], {
    cwd: dir,
    env: {
      ...process.env,
      DORMANT_PORTS_CONTENT: './fixture-ports',
      DORMANT_PORTS_REGISTRY: REGISTRY,
      NO_COLOR: '1',
      FORCE_COLOR: '0',
    },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

/** Replace one frontmatter line of the good page, failing loudly if the line is not there. */
function edit(from: string, to: string): string {
  assert.ok(GOOD.includes(from), `the 3515 page no longer contains ${JSON.stringify(from)}`);
  return GOOD.replace(from, to);
}

const cases = [
  {
    name: 'a port number above 65535',
    file: '3515.mdx',
    text: edit('port: 3515', 'port: 70000'),
    field: /port: a port number is at most 65535/,
  },
  {
    name: 'a port that disagrees with its file name',
    file: '3515.mdx',
    text: edit('port: 3515', 'port: 3516'),
    field: /field "port" is 3516 but the file is named 3515\.mdx/,
  },
  {
    name: 'an unknown protocol',
    file: '3515.mdx',
    text: edit('protocols: [tcp, udp]', 'protocols: [tcp, icmp]'),
    field: /iana\.protocols\.1: expected one of tcp, udp, sctp, dccp/,
  },
  {
    name: 'a date written in words',
    file: '3515.mdx',
    text: edit('registered: 2002-05', 'registered: May 2002'),
    field: /iana\.registered: expected a date written YYYY-MM/,
  },
  {
    name: 'a reference id that does not exist',
    file: '3515.mdx',
    text: edit(
      '    evidence: reported\n  - name: W32.Spybot',
      '    evidence: reported\n    references: [mazben-analysis]\n  - name: W32.Spybot',
    ),
    field: /unofficialUses\.0\.references\.0: no reference with id "mazben-analysis"/,
  },
  {
    name: 'a sourced use without a reference',
    file: '3515.mdx',
    text: edit('    evidence: reported\n  - name: W32.Spybot', '    evidence: sourced\n  - name: W32.Spybot'),
    field: /unofficialUses\.0\.evidence: "Backdoor\.Win32\.Mazben" is marked sourced but cites no reference/,
  },
];

describe('a malformed port page fails the content sync, naming the file and the field', { concurrency: 2 }, () => {
  for (const c of cases) {
    test(c.name, () => {
      const { dir, page } = projectWith(c.file, c.text);
      const { status, output } = astro('sync', dir);
      assert.notEqual(status, 0, output);
      assert.ok(output.includes(page) || output.includes('fixture-ports/3515.mdx'), `names the file:\n${output}`);
      assert.match(output, c.field);
    });
  }
});

test('a malformed port page fails `astro build` itself, while the unbroken page passes', () => {
  const bad = projectWith('3515.mdx', edit('registered: 2002-05', 'registered: May 2002'));
  const failed = astro('build', bad.dir);
  assert.notEqual(failed.status, 0, failed.output);
  assert.match(failed.output, /iana\.registered: expected a date written YYYY-MM/);
  assert.ok(failed.output.includes('fixture-ports/3515.mdx'), failed.output);

  const good = projectWith('3515.mdx', GOOD);
  const built = astro('sync', good.dir);
  assert.equal(built.status, 0, built.output);
});

test('an article whose iana facts disagree with IANA’s registry fails the build, naming the file and field', () => {
  const { dir } = projectWith('3515.mdx', edit('registered: 2002-05', 'registered: 2002-04'));
  const { status, output } = astro('build', dir);
  assert.notEqual(status, 0, output);
  assert.match(output, /fixture-ports\/3515\.mdx: iana\.registered is "2002-04" but IANA's registry says "2002-05"/);
});

test('an article may omit iana and take the facts from IANA’s registry', () => {
  const withoutIana = GOOD.replace(/^iana:\n(?: {2}.*\n)+/m, '');
  assert.ok(!withoutIana.includes('iana:'), 'the iana block was removed from the test page');
  const { dir } = projectWith('3515.mdx', withoutIana);
  const { status, output } = astro('build', dir);
  assert.equal(status, 0, output);
  const html = readFileSync(join(dir, 'dist/ports/3515/index.html'), 'utf8');
  assert.match(html, /Rick Stefanik/);
  assert.match(html, /must-backplane/);
});

test('a translation without one of the English keys fails the build, naming the locale and the key', () => {
  const { dir } = projectWith('3515.mdx', GOOD);
  const fa = join(dir, 'src/i18n/fa.ts');
  const text = readFileSync(fa, 'utf8');
  const without = text.replace(/^ {2}'feedback\.title': .*\n/m, '');
  assert.notEqual(without, text, 'the Persian dictionary no longer has feedback.title on one line');
  writeFileSync(fa, without);
  const { status, output } = astro('build', dir);
  assert.notEqual(status, 0, output);
  assert.match(output, /fa: feedback\.title: missing translation/);
});
