import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backlinks, bodyCitationCounts, bodyCitationId, useCitationId } from '../../src/lib/citations.ts';

const references = [{ id: 'iana' }, { id: 'rfc6335' }, { id: 'netrek' }];

describe('citations', () => {
  test('counts each reference the body cites, in either quote style', () => {
    const counts = bodyCitationCounts(`A.<Ref id="rfc6335" /> B.<Ref id='rfc6335'/> C.<Ref id="iana" />`);
    assert.deepEqual(
      [...counts],
      [
        ['rfc6335', 2],
        ['iana', 1],
      ],
    );
  });

  test('links every reference back to each place that cites it: unofficial uses first, then the body', () => {
    const links = backlinks(
      references,
      [{ references: ['netrek'] }, { references: ['netrek', 'iana'] }],
      '<Ref id="iana" /> and <Ref id="netrek" />',
    );
    assert.deepEqual(links.get('netrek'), [
      useCitationId('netrek', 0),
      useCitationId('netrek', 1),
      bodyCitationId('netrek', 1),
    ]);
    assert.deepEqual(links.get('iana'), [useCitationId('iana', 1), bodyCitationId('iana', 1)]);
    // A reference nobody cites is still listed, with no back-links.
    assert.deepEqual(links.get('rfc6335'), []);
  });

  test('gives every citation its own anchor', () => {
    assert.equal(bodyCitationId('rfc6335', 2), 'cite-rfc6335-2');
    assert.equal(useCitationId('rfc6335', 0), 'cite-rfc6335-use-1');
  });

  test('names a body citation of a reference the page does not list', () => {
    assert.throws(
      () => backlinks(references, [], '<Ref id="nmap" /> <Ref id="v3" />'),
      /the body cites "nmap", "v3", which is not in the page's references/,
    );
  });
});
