import { expect, test } from './fixtures.ts';

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
      expect(headers['x-frame-options'], path).toBe('DENY');
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

  test('renders every page without CSP violations', async ({ page, consoleErrors }) => {
    for (const path of ['/', '/ports/', '/ports/3521/', '/ports/9/']) {
      await page.goto(path);
      await page.getByRole('heading', { level: 1 }).waitFor();
    }
    expect(consoleErrors.filter((e) => !e.includes('404'))).toEqual([]);
  });
});
