/** Vote totals for the site's owner, behind `Authorization: Bearer $FEEDBACK_ADMIN_TOKEN`. */
import type { APIRoute } from 'astro';
import { timingSafeEqual } from 'node:crypto';
import { feedbackDeps } from '../../../data/feedback.ts';
import { refuse } from '../../../lib/feedback/handler.ts';
import { summarize } from '../../../lib/feedback/report.ts';

export const prerender = false;

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const GET: APIRoute = async ({ request }) => {
  const token = process.env['FEEDBACK_ADMIN_TOKEN'];
  // Without a configured token the summary does not exist, rather than being guarded by an empty secret.
  if (!token) return refuse(404, 'the feedback summary is not enabled on this server (set FEEDBACK_ADMIN_TOKEN)');
  const given = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1] ?? '';
  if (!sameSecret(given, token)) {
    return refuse(401, 'send Authorization: Bearer <FEEDBACK_ADMIN_TOKEN>', { 'WWW-Authenticate': 'Bearer' });
  }
  try {
    const report = summarize(await (await feedbackDeps()).store.votes());
    return Response.json(report, { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    console.error('feedback: could not read votes:', error);
    return refuse(503, 'the feedback store is unavailable just now');
  }
};
