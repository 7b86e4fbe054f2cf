import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  bodyCitationCounts,
  bodyCitationId,
  citationsInOrder,
  numberReferences,
  useCitationId,
} from '../../src/lib/citations.ts';

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

  test('numbers references in the order the text first cites them, not the frontmatter’s (3515: [1] comes first)', () => {
    const { numbers, references: ordered } = numberReferences(
      references,
      [],
      'Registered.<Ref id="rfc6335" /> IANA says.<Ref id="iana" /> Again.<Ref id="rfc6335" />',
    );
    assert.deepEqual(
      [...numbers],
      [
        ['rfc6335', 1],
        ['iana', 2],
        // Never cited: last, in the frontmatter's order.
        ['netrek', 3],
      ],
    );
    assert.deepEqual(
      ordered.map((ref) => ref.id),
      ['rfc6335', 'iana', 'netrek'],
    );
  });

  test('counts the unofficial uses’ citations where the body places them, or after the body', () => {
    const uses = [{ references: ['netrek'] }, { references: ['netrek', 'iana'] }];
    const placed = numberReferences(references, uses, 'A.<Ref id="rfc6335" /> <UnofficialUses /> B.<Ref id="iana" />');
    assert.deepEqual([...placed.numbers.keys()], ['rfc6335', 'netrek', 'iana']);
    const after = numberReferences(references, uses, 'A.<Ref id="rfc6335" /> B.<Ref id="iana" />');
    assert.deepEqual([...after.numbers.keys()], ['rfc6335', 'iana', 'netrek']);
  });

  test('links every reference back to each place that cites it, in reading order', () => {
    const uses = [{ references: ['netrek'] }, { references: ['netrek', 'iana'] }];
    const body = '<Ref id="iana" /> <UnofficialUses /> and <Ref id="netrek" />';
    assert.deepEqual(citationsInOrder(uses, body), [
      { id: 'iana', anchor: bodyCitationId('iana', 1) },
      { id: 'netrek', anchor: useCitationId('netrek', 0) },
      { id: 'netrek', anchor: useCitationId('netrek', 1) },
      { id: 'iana', anchor: useCitationId('iana', 1) },
      { id: 'netrek', anchor: bodyCitationId('netrek', 1) },
    ]);
    const { backlinks } = numberReferences(references, uses, body);
    assert.deepEqual(backlinks.get('netrek'), [
      useCitationId('netrek', 0),
      useCitationId('netrek', 1),
      bodyCitationId('netrek', 1),
    ]);
    assert.deepEqual(backlinks.get('iana'), [bodyCitationId('iana', 1), useCitationId('iana', 1)]);
    // A reference nobody cites is still listed, with no back-links.
    assert.deepEqual(backlinks.get('rfc6335'), []);
  });

  test('gives every citation its own anchor', () => {
    assert.equal(bodyCitationId('rfc6335', 2), 'cite-rfc6335-2');
    assert.equal(useCitationId('rfc6335', 0), 'cite-rfc6335-use-1');
  });

  test('names a body citation of a reference the page does not list', () => {
    assert.throws(
      () => numberReferences(references, [], '<Ref id="nmap" /> <Ref id="v3" />'),
      /the body cites "nmap", "v3", which is not in the page's references/,
    );
  });
});
