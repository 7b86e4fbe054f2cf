/**
 * The registry's history (src/lib/history/): the diff between versions of IANA's CSV, the record's file format,
 * and the record read back as changes and per-port summaries, on small versions in tests/fixtures/history/ that
 * hold one of each case: a row added, removed, renamed, reassigned, a field changed twice, a column the oldest
 * version lacks, a renamed column, whitespace that comes and goes, and the tracker's 2020 gap.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import {
  changesByMonth,
  changesByYear,
  formerFromNote,
  formerNames,
  readTimeline,
} from '../../src/lib/history/changes.ts';
import { appendStep, diffSnapshots, readSnapshot, replayKeys, type Snapshot } from '../../src/lib/history/diff.ts';
import { formatHistory, HistoryFormatError, parseHistory, type History } from '../../src/lib/history/record.ts';

const DATES = ['2016-01-01', '2016-01-08', '2020-03-31', '2020-12-29'] as const;
const version = (date: (typeof DATES)[number]): Snapshot =>
  readSnapshot(readFileSync(new URL(`../fixtures/history/${date}.csv`, import.meta.url), 'utf8'));
const [v2016a, v2016b, v2020a, v2020b] = DATES.map(version) as [Snapshot, Snapshot, Snapshot, Snapshot];

/** The record of the four fixture versions, as `npm run registry:history -- --dir` would write it. */
function fixtureHistory(): History {
  let history: History = { versions: [{ date: DATES[0], source: 'file 2016-01-01.csv' }], events: [] };
  const versions = [v2016a, v2016b, v2020a, v2020b];
  for (let i = 1; i < versions.length; i++) {
    history = appendStep(history, versions[i - 1]!, versions[i]!, { date: DATES[i]!, source: `file ${DATES[i]!}.csv` });
  }
  return history;
}

const brief = (events: ReturnType<typeof diffSnapshots>) =>
  events.map((e) =>
    [e.kind, `${e.port}/${e.protocol}/${e.service}`, e.field ?? '', e.from ?? '', e.to ?? ''].join(' '),
  );

describe('diffSnapshots', () => {
  test('a row that appears is added, and nothing else is said of it', () => {
    assert.deepEqual(
      brief(diffSnapshots(v2016a, v2016b, '2016-01-08')).filter((line) => line.startsWith('added')),
      ['added 5006/tcp/newcomer   '],
    );
  });

  test('a column the older version lacks is not a change; once both have it, it is compared', () => {
    // 2016-01-01 has no Service Code column; 2016-01-08 gives galileolog one.
    assert.deepEqual(v2016a.fields.includes('serviceCode'), false);
    assert.ok(!brief(diffSnapshots(v2016a, v2016b, '2016-01-08')).some((line) => line.includes('serviceCode')));
    assert.deepEqual(
      brief(diffSnapshots(v2016b, v2020a, '2020-03-31')).filter((line) => line.includes('serviceCode')),
      ['changed 3520/tcp/galileolog serviceCode GL-1 GL-2', 'changed 3520/udp/galileolog serviceCode GL-1 GL-2'],
    );
  });

  test('IANA’s renamed column (Known Unauthorized Uses → Unauthorized Use Reported) is the same field', () => {
    assert.ok(v2016b.fields.includes('unauthorizedUse'));
    assert.ok(v2020a.fields.includes('unauthorizedUse'));
    assert.deepEqual(v2020a.unknown, []);
  });

  test('line breaks that come and go in a value are not a change', () => {
    const events = brief(diffSnapshots(v2016a, v2016b, '2016-01-08')).filter((line) => line.includes('keeper'));
    assert.deepEqual(events, [
      'changed 5000/tcp/keeper contact [Bo_B] [Cy_C]',
      'changed 5000/tcp/keeper modified  2016-01-05',
    ]);
    assert.equal(v2016a.rows.get('5000/tcp/keeper')?.values.description, 'Kept, with a line break');
  });

  test('a removed row keeps its last values, one event per field', () => {
    assert.deepEqual(
      brief(diffSnapshots(v2016b, v2020a, '2020-03-31')).filter((line) => line.includes('ni-ftp')),
      [
        'removed 47/tcp/ni-ftp description NI FTP ',
        'removed 47/tcp/ni-ftp assignee [Steve_Kille] ',
        'removed 47/tcp/ni-ftp contact [Steve_Kille] ',
        'removed 47/udp/ni-ftp description NI FTP ',
        'removed 47/udp/ni-ftp assignee [Steve_Kille] ',
        'removed 47/udp/ni-ftp contact [Steve_Kille] ',
      ],
    );
  });

  test('rows without a service name and rows that give a range are left out', () => {
    assert.ok(![...v2020b.rows.keys()].some((key) => key.includes('/0/') || key.startsWith('0/')));
    assert.ok(!brief(diffSnapshots(v2020a, v2020b, '2020-12-29')).some((line) => /\b(0|47|5009)\//.test(line)));
    assert.deepEqual(v2020b.notes.get(5009), ['Historic usage was toruxserver. De-Assigned on 2018-04-19']);
  });
});

describe('the record file', () => {
  test('reads back exactly what it wrote', () => {
    const text = formatHistory(fixtureHistory());
    assert.equal(formatHistory(parseHistory(text)), text);
    assert.match(
      text,
      /^date,kind,port,protocol,service,field,from,to\n2016-01-01,version,,,,,,file 2016-01-01\.csv\n/,
    );
    // A value with a comma is quoted; one with a line break cannot occur (whitespace is one space).
    assert.match(text, /2016-01-08,changed,5000,tcp,keeper,contact,\[Bo_B\],\[Cy_C\]\n/);
  });

  test('names the line of a mistake', () => {
    const header = 'date,kind,port,protocol,service,field,from,to\n';
    assert.throws(() => parseHistory('date,kind\n'), HistoryFormatError);
    assert.throws(
      () => parseHistory(`${header}2016-01-01,added,47,tcp,ni-ftp,,,\n`),
      /line 2: added on 2016-01-01 has no version line before it/,
    );
    assert.throws(
      () => parseHistory(`${header}2016-01-01,version,,,,,,x\n2016-01-01,changed,47,tcp,ni-ftp,colour,a,b\n`),
      /line 3: unknown field "colour"/,
    );
    assert.throws(
      () => parseHistory(`${header}2016-01-08,version,,,,,,x\n2016-01-01,version,,,,,,y\n`),
      /line 3: version 2016-01-01 is not after 2016-01-08/,
    );
  });

  test('a step joins the record; two on one day are one version, a step back in time is refused', () => {
    const history = fixtureHistory();
    assert.deepEqual(
      history.versions.map((v) => v.date),
      [...DATES],
    );
    const again = appendStep(history, v2020b, v2016a, { date: '2020-12-29', source: 'again' });
    assert.equal(again.versions.length, 4);
    assert.ok(again.events.length > history.events.length);
    assert.throws(() => appendStep(history, v2020b, v2016a, { date: '2020-01-01', source: 'x' }), RangeError);
  });

  test('replaying the steps forward gives the later version’s rows', () => {
    const history = fixtureHistory();
    assert.deepEqual([...replayKeys(v2016a.rows.keys(), history.events)].sort(), [...v2020b.rows.keys()].sort());
  });
});

describe('readTimeline', () => {
  const timeline = readTimeline(fixtureHistory(), v2020b);
  const port = (n: number) => timeline.ports.get(n)!;

  test('a removed service: the port lost its assignment, first seen gone in the version after its last', () => {
    const ftp = port(47);
    // IANA's note on the number ("This entry has been removed on 2017-05-18") gives IANA's own day.
    assert.deepEqual(ftp.removed, { date: '2020-03-31', since: '2016-01-08', iana: '2017-05-18' });
    assert.deepEqual(ftp.former, [
      {
        service: 'ni-ftp',
        description: 'NI FTP',
        assignee: '[Steve_Kille]',
        protocols: ['tcp', 'udp'],
        until: '2020-03-31',
        since: '2016-01-08',
        from: 'history',
      },
    ]);
    assert.deepEqual(
      ftp.changes.map((c) => [c.kind, c.service, c.protocols.join('+'), c.before.description]),
      [['removed', 'ni-ftp', 'tcp+udp', 'NI FTP']],
    );
    assert.equal(ftp.inFirstVersion, true);
    assert.deepEqual(ftp.firstServices, ['ni-ftp']);
  });

  test('a new name with the same assignee is a rename, dated across the 2020 gap', () => {
    const [change] = port(2459).changes;
    assert.equal(change?.kind, 'renamed');
    assert.equal(change.former, 'community');
    assert.equal(change.service, 'xrpl');
    // First seen on 2020-12-29; it happened after 2020-03-31, the version before the gap.
    assert.equal(change.date, '2020-12-29');
    assert.equal(change.since, '2020-03-31');
    assert.deepEqual(change.fields, [{ field: 'modified', from: '', to: '2020-06-01' }]);
    assert.equal(port(2459).removed, undefined);
    assert.deepEqual(formerNames(port(2459)), ['community', 'Community']);
  });

  test('a new name with another assignee is a reassignment, with what changed', () => {
    const [change] = port(4307).changes;
    assert.equal(change?.kind, 'reassigned');
    assert.equal(change.former, 'visicron-vs');
    assert.equal(change.before.assignee, '[Alexey_Vlaskin]');
    assert.equal(change.after.assignee, '[Dmitry_Odintsov]');
    assert.deepEqual(change.fields.map((f) => f.field).sort(), ['assignee', 'contact', 'description', 'modified']);
    assert.equal(port(4307).assigneeChanged, '2020-03-31');
    assert.equal(port(4307).assigneeChangedRecently, true);
    assert.deepEqual(formerNames(port(4307)), ['visicron-vs', 'Visicron Videoconference Service']);
  });

  test('a field changed twice is two changes, each with its own values', () => {
    const changes = port(5000).changes;
    assert.deepEqual(
      changes.map((c) => [c.date, c.fields.find((f) => f.field === 'contact')]),
      [
        ['2016-01-08', { field: 'contact', from: '[Bo_B]', to: '[Cy_C]' }],
        ['2020-03-31', { field: 'contact', from: '[Cy_C]', to: '[Di_D]' }],
      ],
    );
    assert.deepEqual(port(5000).lastChange, {
      date: '2020-03-31',
      kinds: ['changed'],
      fields: ['contact', 'modified'],
    });
  });

  test('an added row shows its values as they were then, read back from the snapshot through later changes', () => {
    const [added, changed] = port(5006).changes;
    assert.equal(added?.kind, 'added');
    assert.equal(added.after.description, 'Newcomer Protocol');
    assert.equal(changed?.after.description, 'Newcomer Protocol Server');
    assert.equal(port(5006).firstSeen, '2016-01-08');
    assert.equal(port(5006).inFirstVersion, false);
  });

  test('a port in the first version was first seen then, and its new column’s first value is no change', () => {
    assert.deepEqual(
      port(3520).changes.map((c) => [c.date, c.fields.map((f) => f.field)]),
      [['2020-03-31', ['serviceCode']]],
    );
    assert.equal(port(3520).firstSeen, '2016-01-01');
    assert.equal(port(3520).inFirstVersion, true);
  });

  test('IANA’s note names a service that left before the first version', () => {
    const torux = port(5009);
    assert.deepEqual(torux.former, [{ service: 'toruxserver', protocols: [], until: '2018-04-19', from: 'iana-note' }]);
    assert.deepEqual(torux.removed, { date: '2018-04-19' });
  });

  test('changes by month, newest first, and by year', () => {
    assert.deepEqual(
      changesByMonth(timeline.changes).map((m) => m.month),
      ['2020-12', '2020-03', '2016-01'],
    );
    assert.deepEqual(changesByYear(timeline.changes), [
      { year: '2016', counts: { added: 1, removed: 0, renamed: 0, reassigned: 0, changed: 1 } },
      { year: '2020', counts: { added: 0, removed: 1, renamed: 1, reassigned: 1, changed: 3 } },
    ]);
  });
});

test('formerFromNote reads the former service from IANA’s wordings', () => {
  assert.equal(formerFromNote('Historic usage was acms. De-Assigned on 2020-12-29')?.service, 'acms');
  assert.equal(formerFromNote('Historic usage was acms. De-Assigned on 2020-12-29')?.until, '2020-12-29');
  assert.equal(
    formerFromNote('De-assigned on 2025-02-13, previously compressnet by [Bernie_Volz]')?.service,
    'compressnet',
  );
  assert.equal(formerFromNote('"pcp" assignment withdrawn, moved to port 5351 per RFC6887')?.service, 'pcp');
  assert.equal(formerFromNote('This entry has been removed on 2017-05-18.'), undefined);
});

describe('npm run registry:history', () => {
  const fixtures = fileURLToPath(new URL('../fixtures/history/', import.meta.url));
  const work = mkdtempSync(join(tmpdir(), 'dormant-ports-history-'));
  const versions = join(work, 'versions');
  const out = join(work, 'history.csv');
  const snapshot = join(work, 'snapshot.csv');
  mkdirSync(versions);
  for (const date of DATES.slice(0, 3)) copyFileSync(join(fixtures, `${date}.csv`), join(versions, `${date}.csv`));
  copyFileSync(join(fixtures, `${DATES[3]}.csv`), snapshot);
  after(() => {
    rmSync(work, { recursive: true, force: true });
  });
  const cli = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [
        fileURLToPath(new URL('../../src/cli/registry-history.ts', import.meta.url)),
        '--dir',
        versions,
        '--out',
        out,
        '--snapshot',
        snapshot,
        ...args,
      ],
      { encoding: 'utf8' },
    );

  test('without the snapshot’s date and no record to take it from, it says what to give and writes nothing', () => {
    const run = cli();
    assert.equal(run.status, 1);
    assert.match(run.stderr, /give --snapshot-date/);
    assert.match(run.stderr, /The record is unchanged/);
  });

  test('rebuilds the record from a folder of versions and the snapshot, with progress and a summary by year', () => {
    const run = cli('--snapshot-date', '2020-12-29');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /\[ {2}3\/3\] 2020-03-31/);
    assert.match(run.stdout, /4 versions \(2016-01-01 → 2020-12-29\)/);
    assert.match(
      run.stdout,
      /year +added +removed +renamed +reassigned +changed\n +2016 +1 +0 +0 +0 +1\n +2020 +0 +1 +1 +1 +3\n/,
    );
    const expected = fixtureHistory();
    expected.versions[3]!.source = 'iana.org';
    assert.equal(readFileSync(out, 'utf8'), formatHistory(expected));
  });

  test('a rebuild keeps the steps recorded after the versions it was given, when they lead to the snapshot', () => {
    const before = readFileSync(out, 'utf8');
    const run = cli();
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Keeping the 1 recorded steps after 2020-03-31 \(2020-12-29\)/);
    assert.equal(readFileSync(out, 'utf8'), before);
  });
});
