import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { dormancy } from '../../src/lib/dormancy.ts';
import {
  checkAgreement,
  diffRegistries,
  parseRegistry,
  RegistryFormatError,
  type RegistryEntry,
} from '../../src/lib/registry.ts';

const tricky = readFileSync(new URL('../fixtures/registry/tricky.csv', import.meta.url), 'utf8');
const registry = parseRegistry(tricky);
const entry = (port: number) => registry.entries.find((e) => e.port === port);

describe('parseRegistry', () => {
  test('groups rows into one entry per port, with every protocol a service was registered for', () => {
    assert.deepEqual(entry(7), {
      port: 7,
      services: [
        {
          service: 'echo',
          description: 'Echo',
          protocols: ['tcp', 'udp'],
          assignee: '[Jon_Postel]',
          contact: '[Jon_Postel]',
          reference: '[RFC862]',
        },
      ],
    });
  });

  test('keeps quoted commas and line breaks inside fields', () => {
    const quirky = entry(4000)?.services.find((s) => s.service === 'quirky');
    assert.ok(quirky);
    assert.equal(quirky.description, 'A description, with a comma');
    assert.equal(quirky.assignee, 'Acme, Inc.');
    assert.equal(quirky.notes, 'Assigned in two steps:\nfirst TCP, then UDP');
    assert.equal(quirky.modified, '2019-07-02');
  });

  test('lists several services on one port separately', () => {
    assert.deepEqual(
      entry(4000)?.services.map((s) => [s.service, s.protocols]),
      [
        ['quirky', ['tcp', 'udp']],
        ['other', ['sctp']],
      ],
    );
  });

  test('gives each port of a range with a service its own entry', () => {
    assert.deepEqual(
      registry.entries.filter((e) => e.services[0]?.service === 'x11').map((e) => e.port),
      [6000, 6001, 6002],
    );
    assert.equal(entry(6001)?.services[0]?.unauthorizedUse, 'Known Unauthorized Use on port 6003');
  });

  test('turns unassigned and reserved numbers into gaps, not entries, and skips names without a port', () => {
    assert.deepEqual(registry.gaps, [
      [0, 0, 'Reserved'],
      [225, 241, 'Reserved'],
      [272, 279, 'Unassigned'],
    ]);
    assert.equal(entry(0), undefined);
    assert.equal(
      registry.entries.some((e) => e.services.some((s) => s.service === 'dnssd-only')),
      false,
    );
    assert.equal(registry.rows, 12);
  });

  test('refuses a file with the wrong header or a short row, saying which', () => {
    assert.throws(() => parseRegistry('Name,Port\nfoo,1\n'), RegistryFormatError);
    const short = tricky.replace('echo,7,tcp,Echo,[Jon_Postel],[Jon_Postel],,,[RFC862],,,', 'echo,7,tcp,Echo');
    assert.throws(() => parseRegistry(short), /fields|Invalid Record Length/);
  });

  test('parses the real snapshot into 6,342 assigned ports', () => {
    const real = parseRegistry(
      readFileSync(new URL('../../content/registry/service-names-port-numbers.csv', import.meta.url), 'utf8'),
    );
    assert.equal(real.rows, 14500);
    assert.equal(real.entries.length, 6342);
    assert.deepEqual(
      real.entries.find((e) => e.port === 3520)?.services.map((s) => [s.service, s.registered]),
      [['galileolog', '2002-06']],
    );
  });
});

describe('diffRegistries', () => {
  test('reports added, modified and de-assigned services by port', () => {
    const after = parseRegistry(
      tricky
        .replace('echo,7,udp,Echo,[Jon_Postel],[Jon_Postel],,,[RFC862],,,\n', '')
        .replace(/echo,7,tcp,Echo,[^\n]*\n/, '')
        .replace(
          'MUST Backplane,[Rick_Stefanik],[Rick_Stefanik],2002-05,,',
          'MUST Backplane,[Rick_Stefanik],[Rick_Stefanik],2002-05,2026-11-01,',
        )
        .concat('newsvc,4100,tcp,New,[A_B],[A_B],2026-11,,,,,\n'),
    );
    assert.deepEqual(diffRegistries(registry, after), {
      added: ['4100 newsvc'],
      modified: ['3515 must-backplane'],
      removed: ['7 echo'],
    });
  });
});

describe('dormancy', () => {
  const verdict = (e: RegistryEntry | undefined) => dormancy(e!);

  test('flags an old, untouched, undocumented registration by an individual in the user range', () => {
    const v = verdict(entry(3515));
    assert.equal(v.candidate, true);
    assert.ok(v.signals.every((s) => s.holds));
  });

  test('does not flag a documented, modified, or system-range registration, and says which sign failed', () => {
    const quirky = verdict(entry(4000));
    assert.equal(quirky.candidate, false);
    assert.deepEqual(
      quirky.signals.filter((s) => !s.holds).map((s) => s.id),
      ['never-modified', 'no-reference', 'individual'],
    );
    assert.deepEqual(
      verdict(entry(7))
        .signals.filter((s) => !s.holds)
        .map((s) => s.id),
      ['user-range', 'old', 'no-reference'],
    );
  });
});

describe('checkAgreement', () => {
  const registered = entry(7)!;
  const iana = { service: 'echo', description: 'Echo', protocols: ['udp', 'tcp'] as ('tcp' | 'udp')[] };
  const full = { ...iana, assignee: '[Jon_Postel]', contact: '[Jon_Postel]', reference: '[RFC862]' };

  test('accepts an article that says what the registry says, protocols in any order', () => {
    assert.doesNotThrow(() => {
      checkAgreement('7.mdx', 7, full, registered);
    });
  });

  test('names the file and the first field that differs', () => {
    assert.throws(() => {
      checkAgreement('content/ports/7.mdx', 7, { ...full, description: 'Echo service' }, registered);
    }, /^Error: content\/ports\/7\.mdx: iana\.description is "Echo service" but IANA's registry says "Echo"$/);
    assert.throws(() => {
      checkAgreement('7.mdx', 7, iana, registered);
    }, /iana\.assignee is missing but IANA's registry says "\[Jon_Postel\]"/);
    assert.throws(() => {
      checkAgreement('7.mdx', 7, { ...full, protocols: ['tcp'] }, registered);
    }, /iana\.protocols is "tcp" but IANA's registry says "tcp, udp"/);
  });

  test('refuses a service the port does not have, listing the ones it has', () => {
    assert.throws(() => {
      checkAgreement('7.mdx', 7, { ...full, service: 'ping' }, registered);
    }, /lists port 7 as "echo"/);
  });

  test('refuses an article about a port the registry does not assign', () => {
    assert.throws(() => {
      checkAgreement('9999.mdx', 9999, full, undefined);
    }, /port 9999 is not assigned/);
  });
});
