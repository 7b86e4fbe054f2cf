import { expect, test } from './fixtures.ts';
import { PAGE_TYPES } from './pages.ts';

test.describe('the production server', () => {
  test('sends the security headers and a strict CSP with every page', async ({ request }) => {
    for (const path of ['/', '/ports/', '/ports/3515/', '/no-such-page/']) {
      const response = await request.get(path);
      const headers = response.headers();
      const csp = headers['content-security-policy'] ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("'wasm-unsafe-eval'");
      expect(csp, path).not.toContain('unsafe-inline');
      expect(headers['strict-transport-security'], path).toMatch(/max-age=\d{8}/);
      expect(headers['x-content-type-options'], path).toBe('nosniff');
      // Framing is refused by the CSP's frame-ancestors; X-Frame-Options would only repeat it.
      expect(headers['x-frame-options'], path).toBeUndefined();
      expect(headers['referrer-policy'], path).toBe('strict-origin-when-cross-origin');
      expect(headers['cross-origin-opener-policy'], path).toBe('same-origin');
      expect(headers['permissions-policy'], path).toContain('camera=()');
    }
  });

  test('lets browsers keep hashed assets for a year and revalidate pages', async ({ request, page }) => {
    expect((await request.get('/ports/3515/')).headers()['cache-control']).toBe('public, max-age=0, must-revalidate');
    await page.goto('/ports/3515/');
    const script = await page.locator('script[src^="/_astro/"]').first().getAttribute('src');
    expect(script).toBeTruthy();
    expect((await request.get(script!)).headers()['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  test('answers methods other than GET and HEAD on pages with 405 and an Allow header', async ({ request }) => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const response = await request.fetch('/ports/3515/', { method, data: 'x=1' });
      expect(response.status(), method).toBe(405);
      expect(response.headers()['allow']).toBe('GET, HEAD');
    }
    expect((await request.head('/ports/3515/')).status()).toBe(200);
  });

  test('answers an unknown path with the 404 page and status 404', async ({ request }) => {
    const response = await request.get('/definitely/not/here/');
    expect(response.status()).toBe(404);
    expect(await response.text()).toContain('Page not found');
  });

  test('renders one page of every type, with its scripts running, without a CSP violation', async ({
    page,
    consoleErrors,
  }) => {
    consoleErrors.allow(/status of 404/);
    const violations: string[] = [];
    await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        void (window as unknown as { reportViolation: (t: string) => Promise<void> }).reportViolation(
          `${event.violatedDirective} ${event.blockedURI}`,
        );
      });
    });
    for (const type of PAGE_TYPES) {
      await page.goto(type.path);
      await expect(page.getByRole('heading', { level: 1 }), type.name).toHaveText(type.heading);
      // Focusing search loads Pagefind (WebAssembly) and its worker: both must be allowed too.
      await page.locator('#site-search-q').fill('netrek');
      await expect(page.locator('site-search [role="option"]').first(), type.name).toBeVisible();
    }
    expect(violations).toEqual([]);
  });
});
