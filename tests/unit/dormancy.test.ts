/**
 * The dormancy verdict, rule by rule on small inputs, and as a whole against the labelled ports in
 * content/evidence/evaluation.csv on the real registry, evidence and articles. The evaluation prints its
 * precision and recall; its targets are asserted.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import {
  articleFacts,
  dormancy,
  mentionsByPort,
  type ArticleFacts,
  type VerdictValue,
} from '../../src/lib/dormancy.ts';
import { loadEvidence, type PortEvidence } from '../../src/lib/evidence.ts';
import { parseRegistry, type RegistryRow } from '../../src/lib/registry.ts';

const none = (port: number): PortEvidence => ({ port, nmap: {}, wireshark: {}, netbase: {} });
const row = (fields: Partial<RegistryRow> = {}): RegistryRow => ({
  first: 3515,
  last: 3515,
  status: 'assigned',
  service: 'must-backplane',
  protocol: 'tcp',
  description: 'MUST Backplane',
  assignee: '[Rick_Stefanik]',
  contact: '[Rick_Stefanik]',
  registered: '2002-05',
  ...fields,
});
const verdictOf = (rows: RegistryRow[], evidence: Partial<PortEvidence> = {}, article?: ArticleFacts, port = 3515) =>
  dormancy(port, rows, { ...none(port), ...evidence }, article).verdict;

describe('the verdict, rule by rule', () => {
  test('an old, untouched, undocumented registration nothing has seen is likely dormant, with a reason per sign', () => {
    const verdict = dormancy(3515, [row()], none(3515));
    assert.equal(verdict.verdict, 'likely-dormant');
    assert.deepEqual(
      verdict.reasons.map((r) => r.signal),
      ['nmap', 'wireshark', 'range', 'registered', 'modified', 'reference', 'assignee'],
    );
    assert.ok(verdict.reasons.every((r) => r.source.length > 0));
  });

  test('a single Nmap sighting is noise; frequent ones mean in use, and a few mean unknown', () => {
    assert.equal(verdictOf([row()], { nmap: { tcp: { frequency: 0.000076, text: '0.000076' } } }), 'likely-dormant');
    assert.equal(verdictOf([row()], { nmap: { tcp: { frequency: 0.0004, text: '0.000400' } } }), 'unknown');
    assert.equal(verdictOf([row()], { nmap: { tcp: { frequency: 0.004, text: '0.004000' } } }), 'in-use');
    assert.equal(verdictOf([row()], { nmap: { udp: { frequency: 0.00033, text: '0.000330' } } }), 'likely-dormant');
  });

  test('Debian’s /etc/services means in use; a Wireshark dissector rules out dormant without proving use', () => {
    assert.equal(verdictOf([row()], { netbase: { tcp: ['git'] } }), 'in-use');
    assert.equal(verdictOf([row()], { wireshark: { tcp: ['kafka'] } }), 'unknown');
  });

  test('an unknown registration date stays unknown, not "registered after 2011"', () => {
    const undated = row();
    delete undated.registered;
    const verdict = dormancy(3515, [undated], none(3515));
    assert.equal(verdict.verdict, 'unknown');
    assert.deepEqual(
      verdict.reasons.find((r) => r.signal === 'registered'),
      {
        signal: 'registered',
        value: 'not recorded',
        source:
          'https://www.iana.org/assignments/service-names-port-numbers/service-names-port-numbers.xhtml?search=3515',
        points: 'unknown',
      },
    );
  });

  test('a modification, a specification, the system range or a recent registration rules out dormant', () => {
    assert.equal(verdictOf([row({ modified: '2019-07-02' })]), 'unknown');
    assert.equal(verdictOf([row({ reference: '[RFC9999]' })]), 'unknown');
    assert.equal(verdictOf([row({ first: 99, last: 99 })], {}, undefined, 99), 'unknown');
    assert.equal(verdictOf([row({ registered: '2007-11-27' })]), 'unknown');
  });

  test('a modification on any row counts, not just the first', () => {
    assert.equal(verdictOf([row(), row({ protocol: 'udp', modified: '2020-01-01' })]), 'unknown');
  });

  test('an organisation as assignee does not by itself keep a port from being dormant', () => {
    assert.equal(verdictOf([row({ assignee: '[Cisco_Systems]' })]), 'likely-dormant');
    assert.equal(verdictOf([row({ assignee: '[IESG]' })]), 'unknown');
  });

  test('a sourced use that an article on another port documents here makes it in use (3520, told on 3521)', () => {
    const verdict = dormancy(3520, [row({ service: 'galileolog' })], none(3520), undefined, [
      { name: 'Netrek metaserver', article: 3521, url: '/ports/3521/' },
    ]);
    assert.equal(verdict.verdict, 'in-use');
    assert.deepEqual(verdict.reasons[0], {
      signal: 'unofficial-use',
      value: 'Netrek metaserver',
      source: '/ports/3521/',
      points: 'in-use',
    });
  });

  test('an article decides: reported uses leave it dormant, a sourced use makes it in use', () => {
    const article = (evidence: 'sourced' | 'reported', status: ArticleFacts['status']): ArticleFacts => ({
      url: '/ports/3515/',
      status,
      uses: [{ name: 'Netrek metaserver', evidence, url: 'https://example.org/source' }],
    });
    assert.equal(verdictOf([row()], { netbase: { tcp: ['x'] } }, article('reported', 'dormant')), 'likely-dormant');
    assert.equal(verdictOf([row()], {}, article('sourced', 'squatted')), 'in-use');
  });

  test('a number whose service IANA withdrew is likely dormant, the month’s change page the reason', () => {
    // Port 47 today: IANA's "Reserved" rows, in the system range, with no dates a registration would have.
    const reserved = row({ first: 47, last: 47, status: 'reserved', description: 'Reserved', modified: '2017-05-18' });
    delete reserved.service;
    const history = {
      removed: { date: '2017-05-24', since: '2017-05-17' },
      former: [{ service: 'ni-ftp', protocols: ['tcp', 'udp'], until: '2017-05-24', from: 'history' as const }],
    };
    const verdict = dormancy(47, [reserved], none(47), undefined, [], history);
    assert.equal(verdict.verdict, 'likely-dormant');
    assert.deepEqual(verdict.reasons.at(-1), {
      signal: 'history',
      value: 'ni-ftp',
      source: '/changes/2017/05/#port-47',
      points: 'likely-dormant',
    });
    // The Nmap extract has no figures for such numbers: the verdict does not say scans never saw it.
    assert.ok(!verdict.reasons.some((r) => r.signal === 'nmap'));
    // Evidence of use still outweighs it.
    assert.equal(
      dormancy(47, [reserved], { ...none(47), netbase: { tcp: ['x'] } }, undefined, [], history).verdict,
      'in-use',
    );
  });
});

describe('the verdict against the labelled ports', () => {
  const registry = parseRegistry(readFileSync('content/registry/service-names-port-numbers.csv', 'utf8'));
  const evidence = loadEvidence('content/evidence');
  interface Frontmatter {
    port: number;
    status: ArticleFacts['status'];
    unofficialUses: { name: string; evidence: 'sourced' | 'reported'; ports: number[]; references?: string[] }[];
    references: { id: string; url: string }[];
  }
  const pages = readdirSync('content/ports')
    .filter((name) => name.endsWith('.mdx'))
    .map((file) => {
      const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(`content/ports/${file}`, 'utf8'))![1]!;
      return parseYaml(front) as Frontmatter;
    });
  const articles = new Map(
    pages.map((data) => [
      data.port,
      articleFacts({
        ...data,
        unofficialUses: data.unofficialUses.map((u) => ({ ...u, references: u.references ?? [] })),
      }),
    ]),
  );
  const mentions = mentionsByPort(pages);
  const verdicts = new Map(
    registry.entries.map((entry) => [
      entry.port,
      dormancy(entry.port, entry.rows, evidence.get(entry.port), articles.get(entry.port), mentions.get(entry.port))
        .verdict,
    ]),
  );
  const rows = parse<{ port: string; label: 'in-use' | 'dormant'; service: string }>(
    readFileSync('content/evidence/evaluation.csv', 'utf8'),
    { columns: true },
  );
  const labelled = rows.map((r) => ({ ...r, port: Number(r.port), verdict: verdicts.get(Number(r.port))! }));

  test('prints precision and recall, and calls no port in wide use dormant', () => {
    const count = (label: string, verdict: VerdictValue) =>
      labelled.filter((r) => r.label === label && r.verdict === verdict).length;
    const table: Record<string, Record<string, number | string>> = {};
    for (const [label, verdict] of [
      ['dormant', 'likely-dormant'],
      ['in-use', 'in-use'],
    ] as const) {
      const called = labelled.filter((r) => r.verdict === verdict).length;
      const truly = labelled.filter((r) => r.label === label).length;
      const hits = count(label, verdict);
      table[`verdict "${verdict}" for label "${label}"`] = {
        labelled: truly,
        called: called,
        correct: hits,
        precision: called ? (hits / called).toFixed(2) : '—',
        recall: (hits / truly).toFixed(2),
      };
    }
    for (const label of ['in-use', 'dormant']) {
      table[`label "${label}" by verdict`] = Object.fromEntries(
        (['likely-dormant', 'in-use', 'unknown'] as const).map((v) => [v, count(label, v)]),
      );
    }
    console.table(table);
    const misled = labelled.filter((r) => r.label === 'in-use' && r.verdict === 'likely-dormant');
    assert.deepEqual(
      misled.map((r) => `${r.port} ${r.service}`),
      [],
    );
  });

  test('still calls at least 400 registered-range ports likely dormant', () => {
    const dormant = [...verdicts].filter(([port, v]) => v === 'likely-dormant' && port >= 1024 && port <= 49151);
    console.log(
      `verdicts: ${[...verdicts.values()].filter((v) => v === 'likely-dormant').length} likely dormant, ` +
        `${[...verdicts.values()].filter((v) => v === 'in-use').length} in use, ` +
        `${[...verdicts.values()].filter((v) => v === 'unknown').length} unknown, of ${verdicts.size} ports`,
    );
    assert.ok(dormant.length >= 400, `${dormant.length} registered-range ports called likely dormant`);
  });
});
