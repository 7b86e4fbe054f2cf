import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { portSchema } from '../../src/schema.ts';

/** A small, valid page; each test breaks one thing in a copy. */
function page() {
  return {
    port: 3515,
    title: 'MUST Backplane',
    summary: 'Registered in 2002 for a product that left no trace.',
    status: 'squatted',
    reviewed: '2026-11-22',
    iana: {
      service: 'must-backplane',
      description: 'MUST Backplane',
      protocols: ['tcp', 'udp'],
      assignee: '[Rick_Stefanik]',
      registered: '2002-05',
    },
    unofficialUses: [
      {
        name: 'Backdoor.Win32.Mazben',
        kind: 'malware',
        protocols: ['tcp'],
        ports: [3515],
        period: '2000s',
        summary: 'A backdoor said to listen here.',
        evidence: 'sourced',
        references: ['iana-3515'],
      },
    ],
    references: [
      {
        id: 'iana-3515',
        title: 'IANA registry entry',
        url: 'https://www.iana.org/assignments/service-names-port-numbers/service-names-port-numbers.xhtml?search=3515',
        publisher: 'IANA',
        accessed: '2026-11-22',
      },
    ],
  };
}

/** The issues a broken page gets, as `path: message` lines. */
function problems(data: unknown): string[] {
  const result = portSchema.safeParse(data);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('portSchema', () => {
  test('accepts a complete page and fills defaults', () => {
    const parsed = portSchema.parse(page());
    assert.equal(parsed.port, 3515);
    assert.deepEqual(parsed.checkCommands, {});
    assert.deepEqual(parsed.unofficialUses[0]?.aliases, []);
    assert.ok(parsed.reviewed instanceof Date);
  });

  test('accepts dates as precise as IANA gives them, including YAML’s own dates', () => {
    for (const registered of ['2002-05', '2002-05-14', new Date('2002-05-14')]) {
      const data = page();
      (data.iana as Record<string, unknown>)['registered'] = registered;
      assert.deepEqual(problems(data), [], String(registered));
    }
  });

  test('refuses a port number outside 0–65535, naming the field', () => {
    const data = page();
    data.port = 70000;
    assert.deepEqual(problems(data), ['port: a port number is at most 65535']);
  });

  test('refuses an unknown protocol, naming the field', () => {
    const data = page();
    data.iana.protocols = ['tcp', 'icmp'];
    assert.match(problems(data).join('\n'), /^iana\.protocols\.1: expected one of tcp, udp, sctp, dccp/);
  });

  test('refuses a date written in words', () => {
    const data = page();
    data.iana.registered = 'May 2002';
    assert.match(problems(data).join('\n'), /^iana\.registered: expected a date written YYYY-MM/);
  });

  test('refuses impossible calendar dates', () => {
    const data = page();
    data.iana.registered = '2002-13';
    assert.match(problems(data).join('\n'), /^iana\.registered:/);
  });

  test('refuses a use citing a reference id the page does not have', () => {
    const data = page();
    data.unofficialUses[0]!.references = ['no-such-source'];
    assert.deepEqual(problems(data), [
      'unofficialUses.0.references.0: no reference with id "no-such-source" in this page\'s references',
    ]);
  });

  test('refuses a sourced use that cites nothing, but accepts it as reported', () => {
    const data = page();
    data.unofficialUses[0]!.references = [];
    assert.deepEqual(problems(data), [
      'unofficialUses.0.evidence: "Backdoor.Win32.Mazben" is marked sourced but cites no reference; cite one or mark it reported',
    ]);
    data.unofficialUses[0]!.evidence = 'reported';
    data.status = 'dormant';
    assert.deepEqual(problems(data), []);
  });

  test('refuses the status squatted when no unofficial use is sourced', () => {
    const data = page();
    data.unofficialUses[0]!.evidence = 'reported';
    assert.deepEqual(problems(data), [
      'status: status is squatted, but no unofficial use is sourced; use dormant and keep the uses marked reported until a source confirms one',
    ]);
  });

  test('takes a reference without an access date, since an invented one would mislead', () => {
    const data = page();
    delete (data.references[0] as { accessed?: string }).accessed;
    assert.deepEqual(problems(data), []);
  });

  test('refuses duplicate reference ids and unknown fields', () => {
    const data = page();
    data.references.push({ ...data.references[0]! });
    (data.iana as Record<string, unknown>)['assignment'] = 'typo of a field name';
    const found = problems(data).join('\n');
    assert.match(found, /references\.1\.id: duplicate reference id "iana-3515"/);
    assert.match(found, /iana: Unrecognized key: "assignment"/);
  });

  test('refuses an unknown status and an overlong summary', () => {
    const data = page();
    data.status = 'dead';
    data.summary = 'x'.repeat(301);
    const found = problems(data).join('\n');
    assert.match(found, /status: expected one of dormant, squatted, active/);
    assert.match(found, /summary: keep the summary to 300 characters or fewer/);
  });
});
