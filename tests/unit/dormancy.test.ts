/**
 * The dormancy verdict, rule by rule on small inputs, and as a whole against the labelled ports in
 * content/evidence/evaluation.csv, computed from the real registry, evidence, articles and known uses exactly as the
 * build computes them (src/lib/verdicts.ts, content read through its schemas by tests/support/content.ts). The
 * evaluation prints its precision and recall; its targets are asserted.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { dormancy, type ArticleFacts, type VerdictValue } from '../../src/lib/dormancy.ts';
import type { PortHistory } from '../../src/lib/history/changes.ts';
import type { PortEvidence } from '../../src/lib/evidence.ts';
import type { RegistryRow } from '../../src/lib/registry.ts';
import type { KnownUse } from '../../src/lib/uses.ts';
import { portStates } from '../../src/lib/verdicts.ts';
import { siteInputs } from '../support/content.ts';

/** A port's history in the record of versions: listed in the oldest copy and never changed, unless told. */
const story = (port: number, fields: Partial<PortHistory> = {}): PortHistory => ({
  port,
  firstSeen: '2016-01-01',
  inFirstVersion: true,
  firstServices: ['x'],
  changes: [],
  former: [],
  assigneeChangedRecently: false,
  ...fields,
});
const none = (port: number): PortEvidence => ({ port, nmap: {}, wireshark: {}, netbase: {}, listed: [] });
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
const use = (fields: Partial<KnownUse> = {}): KnownUse => ({
  id: 'x',
  name: 'Example Server',
  kind: 'default',
  evidence: 'documented',
  protocols: ['tcp'],
  ports: [3515],
  aliases: [],
  origin: 'dataset',
  source: { title: 'Docs', publisher: 'Example', url: 'https://example.org/docs', says: 'It listens on 3515.' },
  ...fields,
});
const verdictOf = (
  rows: RegistryRow[],
  evidence: Partial<PortEvidence> = {},
  signals: { article?: ArticleFacts; uses?: KnownUse[]; history?: PortHistory } = {},
  port = 3515,
) => dormancy(port, rows, { ...none(port), ...evidence }, signals).verdict;

describe('the verdict, rule by rule', () => {
  test('an old, untouched, undocumented registration nothing has seen is likely dormant, with a reason per sign', () => {
    const verdict = dormancy(3515, [row()], none(3515));
    assert.equal(verdict.verdict, 'likely-dormant');
    assert.deepEqual(
      verdict.reasons.map((r) => r.signal),
      ['nmap', 'wireshark', 'range', 'registered', 'modified', 'reference'],
    );
    assert.equal(verdict.decisive?.signal, 'registered');
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

  test('a documented current use decides "in use" and is named as the deciding reason', () => {
    const verdict = dormancy(3515, [row()], none(3515), { uses: [use({ name: 'Grafana' })] });
    assert.equal(verdict.verdict, 'in-use');
    assert.deepEqual(verdict.decisive, {
      signal: 'known-use',
      value: 'Grafana',
      source: 'https://example.org/docs',
      points: 'in-use',
    });
  });

  test('a use documented as discontinued does not make a port in use, and explains old sightings', () => {
    assert.equal(verdictOf([row()], {}, { uses: [use({ kind: 'historic' })] }), 'likely-dormant');
    const scanned = { nmap: { tcp: { frequency: 0.006, text: '0.006000' } }, netbase: { tcp: ['old'] } };
    assert.equal(verdictOf([row()], scanned), 'in-use');
    assert.equal(verdictOf([row()], scanned, { uses: [use({ kind: 'historic' })] }), 'unknown');
  });

  test('a reported or only listed use rules out dormant without showing use; malware does neither', () => {
    assert.equal(verdictOf([row()], {}, { uses: [use({ evidence: 'reported' })] }), 'unknown');
    const listed = use({ evidence: 'listed', origin: 'shorewall', name: 'SixXS' });
    assert.equal(verdictOf([row()], {}, { uses: [listed] }), 'unknown');
    assert.equal(verdictOf([row()], {}, { uses: [use({ evidence: 'listed', origin: 'firewalld' })] }), 'in-use');
    assert.equal(verdictOf([row()], {}, { uses: [use({ kind: 'malware' })] }), 'likely-dormant');
  });

  test('a list entry takes the kind of the documented use it names: nDPI’s "Ayiya" is SixXS’s discontinued AYIYA', () => {
    const ndpi = use({ name: 'Ayiya', evidence: 'listed', origin: 'ndpi' });
    assert.equal(verdictOf([row()], {}, { uses: [ndpi] }), 'in-use');
    const sixxs = use({ name: 'SixXS AYIYA', aliases: ['ayiya'], kind: 'historic' });
    assert.equal(verdictOf([row()], {}, { uses: [ndpi, sixxs] }), 'likely-dormant');
  });

  test('inside a long range a program picks from, only the first port counts as its default', () => {
    const kde = use({ name: 'KDE Connect', ports: Array.from({ length: 51 }, (_, i) => 1714 + i) });
    assert.equal(verdictOf([row({ first: 1714, last: 1714 })], {}, { uses: [kde] }, 1714), 'in-use');
    assert.equal(verdictOf([row({ first: 1731, last: 1731 })], {}, { uses: [kde] }, 1731), 'unknown');
    const facetime = use({ name: 'FaceTime', ports: Array.from({ length: 20 }, (_, i) => 3478 + i) });
    assert.equal(verdictOf([row({ first: 3480, last: 3480 })], {}, { uses: [facetime] }, 3480), 'in-use');
  });

  test('IANA’s own note of widespread unassigned use means in use', () => {
    const note = 'This entry records an unassigned but widespread use';
    assert.equal(verdictOf([row({ notes: note })]), 'in-use');
  });

  test('an unknown registration date stays unknown, unless the oldest copy of the registry already had it', () => {
    const undated = row();
    delete undated.registered;
    assert.equal(verdictOf([undated]), 'unknown');
    assert.equal(verdictOf([undated], {}, { history: story(3515) }), 'likely-dormant');
    const tended = story(3515, { lastChange: { date: '2019-08-06', kinds: ['changed'], fields: ['contact'] } });
    const verdict = dormancy(3515, [undated], none(3515), { history: tended });
    assert.equal(verdict.verdict, 'unknown');
    assert.deepEqual(
      verdict.reasons.find((r) => r.signal === 'history'),
      { signal: 'history', value: '2019-08', source: '/changes/2019/08/#port-3515', points: 'unknown' },
    );
  });

  test('a modification, a specification, the system range or a recent registration rules out dormant', () => {
    assert.equal(verdictOf([row({ modified: '2019-07-02' })]), 'unknown');
    assert.equal(verdictOf([row({ reference: '[RFC9999]' })]), 'unknown');
    assert.equal(verdictOf([row({ first: 99, last: 99 })], {}, {}, 99), 'unknown');
    assert.equal(verdictOf([row({ registered: '2007-11-27' })]), 'unknown');
  });

  test('a modification on any row counts, not just the first', () => {
    assert.equal(verdictOf([row(), row({ protocol: 'udp', modified: '2020-01-01' })]), 'unknown');
  });

  test('an organisation as assignee does not by itself keep a port from being dormant; the IETF does', () => {
    assert.equal(verdictOf([row({ assignee: '[Cisco_Systems]' })]), 'likely-dormant');
    assert.equal(verdictOf([row({ assignee: '[IESG]' })]), 'unknown');
  });

  test('an IANA note of unauthorised use keeps a port from being dormant', () => {
    assert.equal(verdictOf([row({ unauthorizedUse: 'Yes' })]), 'unknown');
  });

  test('an article’s status decides only when nothing else shows use', () => {
    const article = (status: ArticleFacts['status']): ArticleFacts => ({ url: '/ports/3515/', status });
    assert.equal(verdictOf([row()], { wireshark: { tcp: ['x'] } }, { article: article('dormant') }), 'likely-dormant');
    assert.equal(verdictOf([row()], {}, { article: article('squatted') }), 'in-use');
    // Another source documenting a current use overrides an article that found none.
    assert.equal(verdictOf([row()], {}, { article: article('dormant'), uses: [use()] }), 'in-use');
  });

  test('a number IANA never assigned has no registration to judge: unknown unless something runs there', () => {
    assert.equal(verdictOf([], {}, {}, 25565), 'unknown');
    assert.equal(verdictOf([], {}, { uses: [use({ ports: [25565] })] }, 25565), 'in-use');
  });

  test('a number whose service IANA withdrew is likely dormant, the month’s change page the reason', () => {
    // Port 47 today: IANA's "Reserved" rows, in the system range, with no dates a registration would have.
    const reserved = row({ first: 47, last: 47, status: 'reserved', description: 'Reserved', modified: '2017-05-18' });
    delete reserved.service;
    const history = story(47, {
      removed: { date: '2017-05-24', since: '2017-05-17' },
      former: [{ service: 'ni-ftp', protocols: ['tcp', 'udp'], until: '2017-05-24', from: 'history' }],
      lastChange: { date: '2017-05-24', kinds: ['removed'], fields: [] },
    });
    const verdict = dormancy(47, [reserved], none(47), { history });
    assert.equal(verdict.verdict, 'likely-dormant');
    assert.deepEqual(verdict.decisive, {
      signal: 'withdrawn',
      value: 'ni-ftp',
      source: '/changes/2017/05/#port-47',
      points: 'likely-dormant',
    });
    // The Nmap extract has no figures for such numbers: the verdict does not say scans never saw it.
    assert.ok(!verdict.reasons.some((r) => r.signal === 'nmap'));
    // The reserved row's dates record the removal: not read as someone tending a registration, nor as unchanged.
    assert.ok(!verdict.reasons.some((r) => ['modified', 'registered', 'history'].includes(r.signal)));
    // Evidence of use still outweighs it.
    assert.equal(dormancy(47, [reserved], { ...none(47), netbase: { tcp: ['x'] } }, { history }).verdict, 'in-use');
  });
});

describe('the verdict against the labelled ports', () => {
  const states = portStates(siteInputs());
  const rows = parse<{ port: string; protocol: string; label: 'in-use' | 'dormant'; service: string }>(
    readFileSync(new URL('../../content/evidence/evaluation.csv', import.meta.url), 'utf8'),
    { columns: true },
  );
  const labelled = rows.map((r) => ({
    ...r,
    port: Number(r.port),
    verdict: states.get(Number(r.port))?.verdict.verdict,
  }));
  const count = (label: string, verdict: VerdictValue) =>
    labelled.filter((r) => r.label === label && r.verdict === verdict).length;

  test('prints precision and recall; "likely dormant" has precision ≥ 0.97 and recall ≥ 0.5', () => {
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
        called,
        correct: hits,
        precision: called ? (hits / called).toFixed(3) : '—',
        recall: (hits / truly).toFixed(3),
      };
    }
    for (const label of ['in-use', 'dormant']) {
      table[`label "${label}" by verdict`] = Object.fromEntries(
        (['likely-dormant', 'in-use', 'unknown'] as const).map((v) => [v, count(label, v)]),
      );
    }
    console.table(table);
    const called = labelled.filter((r) => r.verdict === 'likely-dormant').length;
    const dormant = labelled.filter((r) => r.label === 'dormant').length;
    assert.ok(count('dormant', 'likely-dormant') / called >= 0.97, 'precision of "likely dormant"');
    assert.ok(count('dormant', 'likely-dormant') / dormant >= 0.5, 'recall of "likely dormant"');
  });

  test('calls no port in wide use dormant, and recognises at least 85 % of them as in use', () => {
    const misled = labelled.filter((r) => r.label === 'in-use' && r.verdict === 'likely-dormant');
    assert.deepEqual(
      misled.map((r) => `${r.port} ${r.service}`),
      [],
    );
    const inUse = labelled.filter((r) => r.label === 'in-use');
    assert.ok(count('in-use', 'in-use') / inUse.length >= 0.85, `${count('in-use', 'in-use')} of ${inUse.length}`);
  });

  test('the thirteen ports a fact-checker found called dormant are in use, each with a named, sourced reason', () => {
    for (const port of [3479, 3480, 1191, 3610, 34963, 34964, 5064, 5065, 9990, 9222, 8787, 7624, 16384]) {
      const verdict = states.get(port)?.verdict;
      assert.equal(verdict?.verdict, 'in-use', `${port}`);
      assert.equal(verdict.decisive?.signal, 'known-use', `${port} is in use by a named use`);
      assert.match(verdict.decisive.source, /^https:\/\//, `${port} links its source`);
    }
  });

  test('prints the verdict counts', () => {
    const all = [...states.values()].map((s) => s.verdict.verdict);
    const of = (v: VerdictValue) => all.filter((x) => x === v).length;
    console.log(
      `verdicts: ${of('likely-dormant')} likely dormant, ${of('in-use')} in use, ${of('unknown')} unknown, of ${all.length} ports`,
    );
    assert.ok(of('likely-dormant') >= 400);
  });
});
