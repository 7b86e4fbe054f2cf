import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeIssue, fromForm, voteSchema } from '../../src/lib/feedback/schema.ts';

function problem(data: unknown): string | undefined {
  const result = voteSchema.safeParse(data);
  return result.success ? undefined : describeIssue(result.error, data);
}

describe('voteSchema', () => {
  test('accepts a vote as JSON sends it, trimming and normalising the comment', () => {
    assert.deepEqual(voteSchema.parse({ port: 3515, rating: 'helpful' }), { port: 3515, rating: 'helpful' });
    assert.deepEqual(
      voteSchema.parse({
        port: 3521,
        rating: 'somewhat',
        reasons: ['out-of-date'],
        comment: '  cafe\u0301  ',
        locale: 'fa',
      }),
      { port: 3521, rating: 'somewhat', reasons: ['out-of-date'], comment: 'café', locale: 'fa' },
    );
  });

  test('names a rating outside the three answers', () => {
    assert.equal(problem({ port: 3515, rating: 'great' }), 'rating must be one of not-helpful, somewhat, helpful');
  });

  test('refuses unknown fields by name, a client-chosen voter id among them', () => {
    assert.equal(problem({ port: 3515, rating: 'helpful', admin: true }), 'unknown field: admin');
    assert.equal(problem({ port: 3515, rating: 'helpful', voter: 'abcdefgh' }), 'unknown field: voter');
  });

  test('caps a comment at 1,000 characters after trimming', () => {
    assert.equal(problem({ port: 3515, rating: 'helpful', comment: `  ${'x'.repeat(1000)}  ` }), undefined);
    assert.equal(
      problem({ port: 3515, rating: 'helpful', comment: 'x'.repeat(1001) }),
      'comment must be at most 1000 characters',
    );
  });

  test('refuses control characters, bidi controls and invisible-only comments, but keeps line breaks and emoji', () => {
    assert.equal(problem({ port: 3515, rating: 'helpful', comment: 'line one\nline\ttwo' }), undefined);
    assert.equal(problem({ port: 3515, rating: 'helpful', comment: '👩\u200d💻' }), undefined);
    assert.equal(
      problem({ port: 3515, rating: 'helpful', comment: 'bell\u0007' }),
      'comment must not contain control characters',
    );
    assert.match(problem({ port: 3515, rating: 'helpful', comment: 'a\u2066b' }) ?? '', /bidirectional/);
    assert.equal(
      problem({ port: 3515, rating: 'helpful', comment: '\u200b \u00ad\ufeff' }),
      'comment must contain visible text',
    );
    assert.equal(problem({ port: 3515, rating: 'helpful', comment: '\ud800' }), 'comment must be valid Unicode text');
  });

  test('takes a port only as a whole JSON number from 0 to 65535, and says when it is missing', () => {
    for (const port of [70000, -1]) assert.match(problem({ port, rating: 'helpful' }) ?? '', /^port: a port number is/);
    for (const port of ['abc', '3515', true, null, [3515]]) {
      assert.equal(
        problem({ port, rating: 'helpful' }),
        'port: expected a port number, a whole number from 0 to 65535',
      );
    }
    assert.equal(problem({ rating: 'helpful' }), 'port: the field is missing');
    assert.match(problem({ port: 3515, rating: 'helpful', reasons: ['boring'] }) ?? '', /reasons must be among/);
    assert.equal(problem({ port: 3515, rating: 'helpful', reasons: 'other' }), 'reasons must be a list');
    assert.equal(
      problem({ port: 3515, rating: 'helpful', reasons: ['other', 'other'] }),
      'reasons must not list a reason twice',
    );
  });
});

describe('fromForm', () => {
  const form = (text: string) => fromForm(new URLSearchParams(text));

  test('turns plain digits into a port number and repeated reasons into a list, dropping empty text fields', () => {
    assert.deepEqual(
      {
        ...(form('port=3521&rating=somewhat&reasons=other&reasons=out-of-date&comment=&website=') as { data: object })
          .data,
      },
      { port: 3521, rating: 'somewhat', reasons: ['other', 'out-of-date'] },
    );
  });

  test('leaves other spellings of a number as text for the schema to refuse', () => {
    for (const port of ['0x0DBB', '1e3', '+3515', ' 3515', '', '123456']) {
      assert.equal(
        typeof (form(`port=${encodeURIComponent(port)}`) as { data: Record<string, unknown> }).data['port'],
        'string',
      );
    }
  });

  test('keeps __proto__ as an ordinary field, which the schema then names as unknown', () => {
    const parsed = form('port=3515&rating=helpful&__proto__=x') as { data: Record<string, unknown> };
    assert.equal(Object.getPrototypeOf(parsed.data), null);
    assert.equal(problem(parsed.data), 'unknown field: __proto__');
  });

  test('refuses a field given twice, other than reasons', () => {
    assert.deepEqual(form('port=1&port=2'), { error: 'port: the field is given more than once' });
  });
});
