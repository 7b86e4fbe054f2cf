/**
 * The feedback API's shared state for the server process: one store, one rate limiter, the set of pages that
 * can be voted on (every /ports/N/ page), and the origins allowed to post.
 */
import { createLimiter, type FeedbackDeps } from '../lib/feedback/handler.ts';
import { FeedbackStore } from '../lib/feedback/store.ts';
import { getPortViews } from './ports.ts';

let shared: Promise<Omit<FeedbackDeps, 'clientAddress'>> | undefined;

export function feedbackDeps(): Promise<Omit<FeedbackDeps, 'clientAddress'>> {
  shared ??= (async () => ({
    store: FeedbackStore.fromEnv(),
    limiter: createLimiter(),
    pages: new Set((await getPortViews()).map((view) => view.port)),
    origins: new Set([new URL(import.meta.env.SITE).origin]),
  }))();
  return shared;
}

/** Where the widget posts: this server by default, another host when the site is deployed as static files. */
export function feedbackEndpoint(): string | undefined {
  const configured = import.meta.env.PUBLIC_FEEDBACK_ENDPOINT as string | undefined;
  if (configured === 'off') return undefined;
  return configured || '/api/feedback';
}
