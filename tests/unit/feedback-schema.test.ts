import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeIssue, voteSchema } from '../../src/lib/feedback/schema.ts';

function problem(data: unknown): string | undefined {
  const result = voteSchema.safeParse(data);
  return result.success ? undefined : describeIssue(result.error);
}

describe('voteSchema', () => {
  test('accepts a vote as JSON sends it, with a single reason as a form sends it', () => {
    assert.deepEqual(voteSchema.parse({ port: 3515, rating: 'helpful' }), { port: 3515, rating: 'helpful' });
    assert.deepEqual(
      voteSchema.parse({ port: 3521, rating: 'somewhat', reasons: 'out-of-date', comment: '  stale  ' }),
      {
        port: 3521,
        rating: 'somewhat',
        reasons: ['out-of-date'],
        comment: 'stale',
      },
    );
  });

  test('names a rating outside the three answers', () => {
    assert.equal(problem({ port: 3515, rating: 'great' }), 'rating must be one of not-helpful, somewhat, helpful');
  });

  test('refuses unknown fields by name', () => {
    assert.equal(problem({ port: 3515, rating: 'helpful', admin: true }), 'unknown field: admin');
  });

  test('caps a comment at 1,000 characters after trimming', () => {
    assert.equal(problem({ port: 3515, rating: 'helpful', comment: `  ${'x'.repeat(1000)}  ` }), undefined);
    assert.equal(
      problem({ port: 3515, rating: 'helpful', comment: 'x'.repeat(1001) }),
      'comment must be at most 1000 characters',
    );
  });

  test('refuses control characters in a comment but keeps line breaks and tabs', () => {
    assert.equal(problem({ port: 3515, rating: 'helpful', comment: 'line one\nline\ttwo' }), undefined);
    assert.equal(
      problem({ port: 3515, rating: 'helpful', comment: 'bell\u0007' }),
      'comment must not contain control characters',
    );
    assert.equal(
      problem({ port: 3515, rating: 'helpful', comment: 'nul\u0000' }),
      'comment must not contain control characters',
    );
  });

  test('refuses a port that is not a port number and reasons outside the list', () => {
    assert.equal(problem({ port: 70000, rating: 'helpful' }), 'port: a port number is at most 65535');
    assert.equal(
      problem({ port: 'abc', rating: 'helpful' }),
      'port: expected a port number, a whole number from 0 to 65535',
    );
    assert.equal(
      problem({ port: '3515', rating: 'helpful' }),
      'port: expected a port number, a whole number from 0 to 65535',
    );
    assert.match(problem({ port: 3515, rating: 'helpful', reasons: ['boring'] }) ?? '', /reasons must be among/);
  });

  test('accepts only short random voter ids', () => {
    assert.equal(problem({ port: 3515, rating: 'helpful', voter: crypto.randomUUID() }), undefined);
    assert.match(
      problem({ port: 3515, rating: 'helpful', voter: '<script>' }) ?? '',
      /voter must be a short random id/,
    );
  });
});
