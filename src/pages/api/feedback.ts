/** The site's one on-demand route: readers' votes on port pages (src/lib/feedback/handler.ts). */
import type { APIRoute } from 'astro';
import { feedbackDeps } from '../../data/feedback.ts';
import { handleFeedback, preflight } from '../../lib/feedback/handler.ts';

export const prerender = false;

export const POST: APIRoute = async ({ request, clientAddress }) =>
  handleFeedback(request, { ...(await feedbackDeps()), clientAddress });

export const OPTIONS: APIRoute = async ({ request }) => preflight(request, (await feedbackDeps()).origins);
