/**
 * The site's HTTP header policy, in one place: the production server (src/server/) sends it, and the build
 * writes the same policy to `_headers` for static hosts and to `_nginx-headers.conf` for nginx. Plain
 * TypeScript, no Astro imports.
 */

/** Sent with every response. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  // Two years, as the HSTS preload list asks; only browsers that reached the site over HTTPS act on it.
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  // The powerful features a page could ask for; the site uses none. (Framing is refused by the CSP's
  // frame-ancestors, which every current browser honours, so X-Frame-Options would be bytes on every response.)
  'Permissions-Policy': 'camera=(), geolocation=(), microphone=()',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Content-hashed build assets never change under their name; everything else is revalidated. */
export function cacheControl(pathname: string): string {
  if (pathname.startsWith('/_astro/')) return 'public, max-age=31536000, immutable';
  if (pathname.startsWith('/api/')) return 'no-store';
  // Pagefind names its index chunks by content hash too, but its entry files keep fixed names.
  if (/^\/pagefind\/.+\.pf_/.test(pathname)) return 'public, max-age=31536000, immutable';
  return 'public, max-age=0, must-revalidate';
}

/** The methods a prerendered page answers; anything else gets 405 with this list in `Allow`. */
export const PAGE_METHODS = ['GET', 'HEAD'] as const;

/** Files the build writes beside the pages for the servers; not pages, so never served as such. */
export const SERVER_FILES = ['/_headers', '/_nginx-headers.conf'] as const;

/**
 * One policy for the whole site from Astro's per-page policies: the same directives, with every page's script
 * and style hashes together. A static host then needs a single rule, and no page can be sent another page's
 * narrower policy.
 */
export function mergePolicies(policies: readonly string[]): string {
  const directives = new Map<string, Set<string>>();
  for (const policy of policies) {
    for (const part of policy.split(';')) {
      const [name, ...sources] = part.trim().split(/\s+/);
      if (!name) continue;
      const set = directives.get(name) ?? new Set<string>();
      sources.forEach((source) => set.add(source));
      directives.set(name, set);
    }
  }
  return [...directives].map(([name, sources]) => [name, ...sources].join(' ')).join('; ');
}

/**
 * The policy without the hashes of scripts and styles no page carries inline. Astro lists every script and style
 * it bundled, whether it ended up inline or in a file; each stale hash is some 54 bytes on every HTML response.
 */
export function pruneHashes(policy: string, inline: ReadonlySet<string>): string {
  return policy
    .split('; ')
    .map((directive) =>
      directive
        .split(' ')
        .filter((source) => !/^'sha(256|384|512)-/.test(source) || inline.has(source))
        .join(' '),
    )
    .join('; ');
}

/** The CSP source (`'sha256-…'`) of every inline executable script and every `<style>` in an HTML page. */
export function inlineHashes(html: string, digest: (text: string) => string): string[] {
  const found: string[] = [];
  for (const m of html.matchAll(/<(script|style)\b([^>]*)>([\s\S]*?)<\/\1>/g)) {
    const [, tag, attributes = '', body = ''] = m;
    // External scripts carry no body to hash, and data blocks (JSON-LD) are never executed.
    if (tag === 'script' && (/\bsrc=/.test(attributes) || /type="application\/(ld\+)?json"/.test(attributes))) continue;
    found.push(`'sha256-${digest(body)}'`);
  }
  return found;
}

/** A Netlify/Cloudflare Pages style `_headers` file carrying the same policy. */
export function headersFile(csp: string): string {
  const block = (path: string, headers: Record<string, string>) =>
    [path, ...Object.entries(headers).map(([name, value]) => `  ${name}: ${value}`)].join('\n');
  return [
    block('/*', { ...SECURITY_HEADERS, 'Content-Security-Policy': csp, 'Cache-Control': cacheControl('/') }),
    block('/_astro/*', { 'Cache-Control': cacheControl('/_astro/') }),
    '',
  ].join('\n\n');
}

/** The Content-Security-Policy a `_headers` file gives every page. */
export function policyFromHeadersFile(text: string): string | undefined {
  return /^\/\*\n(?:  .*\n)*?  Content-Security-Policy: (.+)$/m.exec(text)?.[1];
}

/**
 * The same headers as nginx `add_header` lines, for `include` in deploy/nginx/dormant-ports.conf. `always`, so
 * error pages carry them too; Cache-Control is left to the nginx config, which sets it per location.
 */
export function nginxHeaders(csp: string): string {
  const quote = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;
  return `${Object.entries({ ...SECURITY_HEADERS, 'Content-Security-Policy': csp })
    .map(([name, value]) => `add_header ${name} ${quote(value)} always;`)
    .join('\n')}\n`;
}
