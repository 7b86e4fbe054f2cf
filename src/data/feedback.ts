/** Where the feedback widget posts: this server by default, another host when the site is deployed as static files. */
export function feedbackEndpoint(): string | undefined {
  const configured = import.meta.env.PUBLIC_FEEDBACK_ENDPOINT as string | undefined;
  if (configured === 'off') return undefined;
  return configured || '/api/feedback';
}
