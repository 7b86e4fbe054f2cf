/**
 * A valid new article keeps the site right (issue 20, finding 1). A copy of the project gets one more article,
 * written as CONTRIBUTING.md says, on a port that has none but on which another article documents a use (Netrek's
 * metaserver on 3522, from the 3521 article); the copy is built for real, and then:
 *
 * - the port's verdict stays "in use", decided by the other article's sourced use: the new article's own status
 *   ("dormant", as an author reading only the registry might write) does not override it;
 * - the fixture ports the tests take from a build (tests/support/site-data.ts) move off the new article;
 * - the content-dependent unit checks (tests/unit/dormancy.test.ts, which read articles through the schema) pass
 *   on the copy's content.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { portStates } from '../../src/lib/verdicts.ts';
import { ROOT, siteInputs } from '../support/content.ts';
import { BUILD_INPUTS, copyProject } from '../support/project-copy.ts';
import { articlePorts, builtPorts, portDocumentedByAnArticle, registryOnlyPort } from '../support/site-data.ts';

/**
 * The port the fixture article goes on, from the content as it is: no article of its own, and a verdict decided
 * by a use another article documents (its reason's source is that article's page).
 */
function target(): { port: number; article: number } {
  for (const state of portStates(siteInputs()).values()) {
    const by = /^\/ports\/(\d+)\/$/.exec(state.verdict.decisive?.source ?? '')?.[1];
    if (state.verdict.verdict === 'in-use' && state.verdict.decisive?.signal === 'known-use' && by) {
      if (!existsSync(join(ROOT, `content/ports/${state.port}.mdx`))) return { port: state.port, article: Number(by) };
    }
  }
  throw new Error('no port without an article has a verdict decided by another article: pick a fixture port by hand');
}

/** An article exactly as CONTRIBUTING.md's "Adding a port article" describes it, believing the port dormant. */
const article = (port: number) => `---
port: ${port}
title: Fixture service
summary: A fixture article added by tests/build/fixture-article.test.ts, on a port another article documents.
status: dormant
reviewed: 2026-12-01
references:
  - id: iana
    title: Service Name and Transport Protocol Port Number Registry
    url: https://www.iana.org/assignments/service-names-port-numbers/service-names-port-numbers.xhtml
    publisher: IANA
    accessed: 2026-12-01
---

The registration is IANA's.<Ref id="iana" /> Nothing here says what else runs on the port.
`;

const run = (args: string[], cwd: string, timeout: number) => {
  // Without NODE_TEST_CONTEXT, which this runner sets: a child `node --test` that inherits it reports to a parent
  // that is not listening, prints nothing and exits 0 whatever its tests do.
  const env = { ...process.env };
  delete env['NODE_TEST_CONTEXT'];
  return spawnSync(process.execPath, args, {
    cwd,
    env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
    encoding: 'utf8',
    timeout,
  });
};

describe('a valid new article, added as CONTRIBUTING.md says', { timeout: 900_000 }, () => {
  const { port, article: documentedBy } = target();
  let dir = '';
  let dist = '';

  before(
    () => {
      dir = copyProject('dormant-ports-article-', [...BUILD_INPUTS, 'tests']);
      writeFileSync(join(dir, `content/ports/${port}.mdx`), article(port));
      // Astro alone: dist/ports.json and the pages are what the checks read; the search index is not.
      const built = run(
        ['--max-old-space-size=600', join(dir, 'node_modules/astro/bin/astro.mjs'), 'build'],
        dir,
        600_000,
      );
      assert.equal(built.status, 0, `the build failed:\n${built.stdout}\n${built.stderr}`);
      dist = join(dir, 'dist');
    },
    { timeout: 900_000 },
  );

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the port gets its article page, in every locale', () => {
    assert.ok(articlePorts(dist).includes(port), `dist/ports.json lists ${port} as an article`);
    for (const prefix of ['', 'fa/', 'bg/']) {
      const html = readFileSync(join(dist, `${prefix}ports/${port}/index.html`), 'utf8');
      assert.match(html, /Fixture service/);
    }
  });

  test('its verdict stays "in use", decided by the other article’s sourced use, not by its own status', () => {
    const built = builtPorts(dist).find((p) => p.port === port)!;
    assert.equal(built.dormancy.verdict, 'in-use');
    assert.deepEqual(
      built.dormancy.reasons.find((r) => r.signal === 'known-use')?.source,
      `/ports/${documentedBy}/`,
      'the use documented by the other article is still a reason',
    );
    // The article's own word is a reason too, but not the deciding one.
    assert.deepEqual(
      built.dormancy.reasons.filter((r) => r.signal === 'article').map((r) => r.value),
      ['dormant'],
    );
    const page = readFileSync(join(dist, `ports/${port}/index.html`), 'utf8');
    assert.match(page, /Dormancy verdict: In use\./);
    // Nor does its own (empty) list of unofficial uses say that none is documented, above the one that is.
    assert.doesNotMatch(page, /No unofficial use of this port has been documented yet/);
  });

  test('the fixture ports tests take from a build move off the new article', () => {
    assert.notEqual(registryOnlyPort(dist), port);
    // Another such port, or none (the tests that need one then skip, saying why).
    assert.notEqual(portDocumentedByAnArticle(dist)?.port, port);
    assert.ok(!builtPorts(dist).find((p) => p.port === registryOnlyPort(dist))!.article);
  });

  test('the content-dependent unit checks pass on the content with the new article', () => {
    const result = run(['--test', 'tests/unit/dormancy.test.ts', 'tests/unit/schema.test.ts'], dir, 300_000);
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /^ℹ pass [1-9]/m, 'the unit tests ran');
    assert.match(result.stdout, /^ℹ fail 0$/m);
  });
});
