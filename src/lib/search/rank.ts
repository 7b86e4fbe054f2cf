/**
 * How full-text results are weighed against what the reader typed, for both search boxes (src/scripts/search/).
 * Plain TypeScript, unit-tested in tests/unit/search-rank.test.ts.
 */

/**
 * How well a hit's service names match the query: 0 for the name itself ("mysql" → mysql, not mysqlx), 1 for a
 * name it begins ("postgres" → postgresql), 2 otherwise.
 */
export function nameRank(service: string | undefined, query: string): number {
  const wanted = query.trim().toLowerCase();
  const names = (service ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (names.includes(wanted)) return 0;
  if (wanted.length >= 4 && names.some((name) => name.startsWith(wanted))) return 1;
  return 2;
}

/**
 * Pagefind always returns something: for a word it does not know it falls back to the nearest prefix, so
 * "xylophone" finds "xyClient" (Pagefind issues #702 and #780). A result counts only if a highlighted word
 * starts with a query word, or a query word starts with a highlighted word of four letters or more (stems).
 */
export function matchesQuery(excerpt: string, query: string): boolean {
  const terms = query
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((term) => term.length >= 2);
  // A highlight can be a dotted name such as "Backdoor.Win32.Mazben"; each part counts as a word.
  const marked = [...excerpt.matchAll(/<mark>(.*?)<\/mark>/g)].flatMap((m) =>
    m[1]!.toLowerCase().split(/[^\p{L}\p{N}]+/u),
  );
  return marked.some((word) =>
    terms.some((term) => word.startsWith(term) || (word.length >= 4 && term.startsWith(word))),
  );
}

/**
 * Full-text hits in the order a reader expects: a hit whose service is the query itself first, then one whose
 * service begins with it, then the rest in Pagefind's order (the sort is stable); hits that only Pagefind's
 * prefix fallback found are left out.
 */
export function rankHits<T extends { service?: string | undefined; excerpt?: string | undefined }>(
  hits: readonly T[],
  query: string,
): T[] {
  return hits
    .filter((hit) => nameRank(hit.service, query) < 2 || matchesQuery(hit.excerpt ?? '', query))
    .sort((a, b) => nameRank(a.service, query) - nameRank(b.service, query));
}
