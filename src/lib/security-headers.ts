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
  'Permissions-Policy':
    'accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  // The CSP's frame-ancestors does the same for current browsers; this covers older ones.
  'X-Frame-Options': 'DENY',
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
