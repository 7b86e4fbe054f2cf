import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { matchesQuery, nameRank, rankHits } from '../../src/lib/search/rank.ts';

describe('nameRank', () => {
  test('ranks the service name itself first, then a longer name it begins, then the rest', () => {
    assert.equal(nameRank('mysql', 'mysql'), 0);
    assert.equal(nameRank('mysqlx', 'mysql'), 1);
    assert.equal(nameRank('postgresql', 'postgres'), 1);
    assert.equal(nameRank('ms-sql-s', 'mysql'), 2);
    assert.equal(nameRank(undefined, 'mysql'), 2);
  });

  test('reads every name of a page with several, whatever the case and spaces around the query', () => {
    assert.equal(nameRank('hbci remoteware-cl', 'remoteware-cl'), 0);
    assert.equal(nameRank('x11', '  X11 '), 0);
  });

  test('does not take a short query as the start of a name', () => {
    assert.equal(nameRank('sshell', 'ssh'), 2);
  });
});

describe('matchesQuery', () => {
  test('counts a highlighted word that a query word begins, or that begins a query word', () => {
    assert.equal(matchesQuery('The <mark>Netrek</mark> metaserver', 'netrek'), true);
    assert.equal(matchesQuery('a <mark>backdoor</mark> said to listen', 'backdoors'), true);
    assert.equal(matchesQuery('<mark>Backdoor.Win32.Mazben</mark>', 'mazben'), true);
  });

  test('refuses what Pagefind found only by its prefix fallback', () => {
    assert.equal(matchesQuery('<mark>xyClient</mark> for the X Window System', 'xylophone'), false);
    assert.equal(matchesQuery('no highlight at all', 'netrek'), false);
  });
});

describe('rankHits', () => {
  test('puts the exact service first, keeps Pagefind’s order otherwise, and drops fallback matches', () => {
    const hits = [
      { url: '/ports/33060/', service: 'mysqlx', excerpt: '<mark>mysql</mark>x' },
      { url: '/ports/1/', service: 'other', excerpt: 'a <mark>mysql</mark> mention' },
      { url: '/ports/3306/', service: 'mysql', excerpt: '' },
      { url: '/ports/2/', service: 'other', excerpt: '<mark>mys</mark>tery' },
    ];
    assert.deepEqual(
      rankHits(hits, 'mysql').map((hit) => hit.url),
      ['/ports/3306/', '/ports/33060/', '/ports/1/'],
    );
  });
});
