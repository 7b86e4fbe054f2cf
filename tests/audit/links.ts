/** Every internal link and `#fragment` on the built site resolves, crawled over HTTP with linkinator. */
import { readFile } from 'node:fs/promises';
import { LinkChecker, LinkState } from 'linkinator';

export interface LinkReport {
  checked: number;
  broken: string[];
}

export interface CrawlReport extends LinkReport {
  /** Paths the crawl fetched with a 2xx answer, without query or fragment. */
  reached: Set<string>;
}

export async function checkLinks(origin: string): Promise<CrawlReport> {
  const checker = new LinkChecker();
  const result = await checker.check({
    path: `${origin}/`,
    recurse: true,
    checkFragments: true,
    concurrency: 32,
    // Only this site: the audit must not reach the network, and outside pages are not ours to keep alive.
    linksToSkip: (link) => Promise.resolve(!link.startsWith(origin)),
  });
  const broken = result.links
    .filter((link) => link.state === LinkState.BROKEN)
    .map(
      (link) =>
        `${link.url} (${link.status ?? 'no answer'}) from ${link.parent ?? '?'}${link.failureDetails?.length ? `: ${JSON.stringify(link.failureDetails[0]).slice(0, 200)}` : ''}`,
    );
  const reached = new Set(
    result.links
      .filter((link) => link.state === LinkState.OK && link.status !== undefined && link.status < 300)
      .map((link) => new URL(link.url).pathname),
  );
  return { checked: result.links.filter((link) => link.state !== LinkState.SKIPPED).length, broken, reached };
}

/**
 * Same-page links (`href="#ref-rfc6335"`), which linkinator does not follow: each must name an id on its own
 * page. Read from the built files, so every page is covered in a second or two.
 */
export async function checkPageFragments(dir: string, files: AsyncIterable<string>): Promise<LinkReport> {
  const broken: string[] = [];
  let checked = 0;
  for await (const file of files) {
    const html = await readFile(file, 'utf8');
    const ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
    for (const [, fragment] of html.matchAll(/\shref="#([^"]*)"/g)) {
      checked++;
      if (!ids.has(decodeURIComponent(fragment!))) broken.push(`${file.slice(dir.length)} → #${fragment}`);
    }
  }
  return { checked, broken };
}
