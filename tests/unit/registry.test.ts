import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { assigneeKind, citesDocument, ianaName, ianaReferences } from '../../src/lib/iana.ts';
import {
  checkAgreement,
  diffRegistries,
  liveRegistrations,
  parseRegistry,
  registrations,
  RegistryFormatError,
} from '../../src/lib/registry.ts';

const tricky = readFileSync(new URL('../fixtures/registry/tricky.csv', import.meta.url), 'utf8');
const registry = parseRegistry(tricky);
const entry = (port: number) => registry.entries.find((e) => e.port === port);
// Rows copied unchanged from IANA's file, chosen for the ways a page could misstate them.
const fidelity = parseRegistry(readFileSync(new URL('../fixtures/registry/fidelity.csv', import.meta.url), 'utf8'));
const real = (port: number) => fidelity.entries.find((e) => e.port === port);
const gap = (port: number) => fidelity.gaps.find((g) => g.first <= port && port <= g.last);

describe('parseRegistry', () => {
  test('keeps every row of a port, each with its own protocol and facts', () => {
    assert.deepEqual(entry(7)?.rows, [
      {
        first: 7,
        last: 7,
        status: 'assigned',
        service: 'echo',
        protocol: 'tcp',
        description: 'Echo',
        assignee: '[Jon_Postel]',
        contact: '[Jon_Postel]',
        reference: '[RFC862]',
      },
      {
        first: 7,
        last: 7,
        status: 'assigned',
        service: 'echo',
        protocol: 'udp',
        description: 'Echo',
        assignee: '[Jon_Postel]',
        contact: '[Jon_Postel]',
        reference: '[RFC862]',
      },
    ]);
    assert.deepEqual(
      registrations(entry(7)!.rows).map((r) => [r.service, r.protocols]),
      [['echo', ['tcp', 'udp']]],
    );
  });

  test('keeps quoted commas and line breaks inside fields', () => {
    const quirky = entry(4000)?.rows.find((r) => r.service === 'quirky');
    assert.ok(quirky);
    assert.equal(quirky.description, 'A description, with a comma');
    assert.equal(quirky.assignee, 'Acme, Inc.');
    assert.equal(quirky.notes, 'Assigned in two steps:\nfirst TCP, then UDP');
  });

  test('turns numbers no row assigns into gaps, and skips names without a port', () => {
    assert.deepEqual(
      registry.gaps.map((g) => [g.first, g.last, g.status]),
      [
        [0, 0, 'reserved'],
        [225, 241, 'reserved'],
        [272, 279, 'unassigned'],
      ],
    );
    assert.equal(entry(0), undefined);
    assert.equal(
      registry.entries.some((e) => e.rows.some((r) => r.service === 'dnssd-only')),
      false,
    );
    assert.equal(registry.rows, 12);
  });

  test('refuses a file with the wrong header or a short row, saying which', () => {
    assert.throws(() => parseRegistry('Name,Port\nfoo,1\n'), RegistryFormatError);
    const short = tricky.replace('echo,7,tcp,Echo,[Jon_Postel],[Jon_Postel],,,[RFC862],,,', 'echo,7,tcp,Echo');
    assert.throws(() => parseRegistry(short), /fields|Invalid Record Length/);
  });

  test('parses the real snapshot into a page for every assigned port number', () => {
    const snapshot = parseRegistry(
      readFileSync(new URL('../../content/registry/service-names-port-numbers.csv', import.meta.url), 'utf8'),
    );
    assert.equal(snapshot.rows, 14500);
    assert.equal(snapshot.entries.length, 6350);
    assert.deepEqual(
      snapshot.entries.find((e) => e.port === 3520)?.rows.map((r) => [r.service, r.protocol, r.registered]),
      [
        ['galileolog', 'tcp', '2002-06'],
        ['galileolog', 'udp', '2002-06'],
      ],
    );
  });
});

describe('registry fidelity: each fact as IANA gives it, per protocol row', () => {
  test('a de-registered UDP row stays de-registered beside live TCP and SCTP rows (14001)', () => {
    const groups = registrations(real(14001)!.rows);
    assert.deepEqual(
      groups.map((g) => [g.status, g.protocols, g.registered]),
      [
        ['assigned', ['tcp', 'sctp'], undefined],
        ['de-registered', ['udp'], '2001-06-06'],
      ],
    );
    assert.deepEqual(
      liveRegistrations(real(14001)!.rows).map((g) => g.protocols),
      [['tcp', 'sctp']],
    );
  });

  test('port 80’s SCTP row keeps its own assignee and RFC 9260', () => {
    const sctp = registrations(real(80)!.rows).find((g) => g.service === 'http' && g.protocols.includes('sctp'));
    assert.deepEqual(sctp && [sctp.protocols, ianaName(sctp.assignee!), sctp.reference], [
      ['sctp'],
      'Randall Stewart',
      '[RFC9260]',
    ]);
    const tcp = registrations(real(80)!.rows).find((g) => g.service === 'http' && g.protocols.includes('tcp'));
    assert.deepEqual(tcp && [tcp.protocols, tcp.assignee], [['tcp', 'udp'], '[IESG]']);
  });

  test('rows that differ only in how a note is indented are one registration, its note as the first row gives it (80, www-http)', () => {
    const rows = real(80)!.rows.filter((r) => r.service === 'www-http');
    assert.equal(rows.length, 2);
    assert.notEqual(rows[0]!.notes, rows[1]!.notes);
    const groups = registrations(rows);
    assert.deepEqual(
      groups.map((g) => [g.service, g.protocols]),
      [['www-http', ['tcp', 'udp']]],
    );
    assert.equal(groups[0]!.notes, rows[0]!.notes);
  });

  test('IANA’s multi-line notes keep their line breaks (80, www-http)', () => {
    const notes = real(80)!.rows.find((r) => r.service === 'www-http')!.notes!;
    assert.ok(notes.split('\n').length > 10);
  });

  test('unnamed rows keep their notes of unauthorised use (1491, 6588, 8010, 27018–27019)', () => {
    assert.deepEqual(gap(1491)?.notes, ['Unauthorized Use Known on port 1491']);
    assert.deepEqual(gap(6588)?.notes, ['Unofficial use of port 6588 by AnalogX and Microsoft']);
    assert.deepEqual(gap(8010)?.notes, ['Unauthorized use reported']);
    for (const port of [27018, 27019])
      assert.ok(
        gap(port)?.notes.some((n) => /unauthori[sz]ed|use/i.test(n)),
        String(port),
      );
  });

  test('de-assigned numbers keep what they were (2–3 previously compressnet, 3980 historic acms)', () => {
    for (const port of [2, 3]) {
      assert.equal(gap(port)?.status, 'reserved');
      assert.deepEqual(gap(port)?.notes, ['De-assigned on 2025-02-13, previously compressnet by [Bernie_Volz]']);
      assert.equal(gap(port)?.modified, '2025-02-13');
    }
    assert.ok(gap(3980)?.notes.includes('Historic usage was acms. De-Assigned on 2020-12-29'));
  });

  test('a number the history saw lose its service has a page of its own rows instead of a gap (3, 3980)', () => {
    const formerly = parseRegistry(
      readFileSync(new URL('../fixtures/registry/fidelity.csv', import.meta.url), 'utf8'),
      new Set([3, 3980]),
    );
    const page = (port: number) => formerly.entries.find((e) => e.port === port);
    assert.deepEqual(
      page(3)?.rows.map((r) => [r.status, r.protocol, r.notes]),
      [
        ['reserved', 'tcp', 'De-assigned on 2025-02-13, previously compressnet by [Bernie_Volz]'],
        ['reserved', 'udp', 'De-assigned on 2025-02-13, previously compressnet by [Bernie_Volz]'],
      ],
    );
    assert.ok(page(3980));
    assert.equal(
      formerly.gaps.find((g) => g.first <= 3 && 3 <= g.last),
      undefined,
    );
    // Its neighbour keeps its gap.
    assert.equal(formerly.gaps.find((g) => g.first <= 2 && 2 <= g.last)?.status, 'reserved');
  });

  test('"De-registered" and "Removed" are said as such, not as "Reserved"', () => {
    assert.deepEqual(
      [gap(585)?.status, gap(585)?.notes],
      ['de-registered', ['Use of 585 is not recommended, use 993 instead']],
    );
    assert.deepEqual([gap(659)?.status, gap(659)?.modified], ['removed', '2001-06-06']);
    assert.equal(gap(2905)?.status, 'de-registered');
  });

  test('a row for a range says so on every port of it (x11 6000–6063, flex-lm 27000–27009)', () => {
    for (const port of [6000, 6003, 6063]) {
      const [x11] = registrations(real(port)!.rows);
      assert.deepEqual(x11 && [x11.service, x11.first, x11.last], ['x11', 6000, 6063]);
    }
    const [flex] = registrations(real(27005)!.rows);
    assert.deepEqual(flex && [flex.service, flex.first, flex.last, flex.protocols], ['flex-lm', 27000, 27009, []]);
  });

  test('bracketed lists are read item by item (RFC3501][RFC9051, Vera Heinau][Heiko Schlichting)', () => {
    const imap = real(143)!.rows[0]!;
    assert.deepEqual(ianaReferences(imap.reference!), [
      { label: 'RFC 3501', url: 'https://www.rfc-editor.org/rfc/rfc3501' },
      { label: 'RFC 9051', url: 'https://www.rfc-editor.org/rfc/rfc9051' },
    ]);
    assert.equal(ianaName(real(991)!.rows[0]!.assignee!), 'Vera Heinau, Heiko Schlichting');
    assert.equal(assigneeKind(real(991)!.rows[0]!.assignee!), 'person');
  });
});

describe('IANA names', () => {
  test('tell people from organisations written the same way, and from the IETF', () => {
    for (const person of ['[Rick_Stefanik]', '[Juan_de_la_Cruz]', '[Vera_Heinau][Heiko_Schlichting]']) {
      assert.equal(assigneeKind(person), 'person', person);
    }
    for (const org of ['[Docker_Inc]', '[Cisco_Systems]', '[Flexera_Software]', '[IBM]', '[3Com]', 'Acme, Inc.']) {
      assert.equal(assigneeKind(org), 'organisation', org);
    }
    assert.equal(assigneeKind('[IESG]'), 'ietf');
  });

  test('a reference is a document when it names an RFC, a draft or a URL, not a person', () => {
    assert.equal(citesDocument('[RFC862]'), true);
    assert.equal(citesDocument('[draft-ietf-foo-bar-01]'), true);
    assert.equal(citesDocument('http://example.org/spec'), true);
    assert.equal(citesDocument('[Jane_Doe]'), false);
    assert.equal(citesDocument(undefined), false);
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

  test('refuses one block for a service whose rows differ by protocol', () => {
    assert.throws(() => {
      checkAgreement(
        '80.mdx',
        80,
        { service: 'http', description: 'World Wide Web HTTP', protocols: ['tcp'] },
        real(80),
      );
    }, /IANA's rows for "http" on port 80 differ by protocol; leave iana out/);
  });

  test('refuses an article about a port the registry does not assign', () => {
    assert.throws(() => {
      checkAgreement('9999.mdx', 9999, full, undefined);
    }, /port 9999 is not assigned/);
  });
});
