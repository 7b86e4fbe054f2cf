/**
 * Numbered references with back-links, Wikipedia style. A reference's number is its place in the page's
 * `references` list; every place that cites it gets an anchor, and the reference links back to each one.
 */

interface Cited {
  id: string;
}

interface UseWithReferences {
  references: readonly string[];
}

/** Anchor id of the `n`th (1-based) citation of `refId` in the article body. */
export const bodyCitationId = (refId: string, n: number): string => `cite-${refId}-${n}`;
/** Anchor id of the citation of `refId` in unofficial use number `useIndex` (0-based). */
export const useCitationId = (refId: string, useIndex: number): string => `cite-${refId}-use-${useIndex + 1}`;
export const referenceId = (refId: string): string => `ref-${refId}`;

/** How often the MDX body cites each reference with `<Ref id="…" />`. */
export function bodyCitationCounts(body: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of body.matchAll(/<Ref\s+id=["']([^"']+)["']/g)) {
    const id = match[1]!;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Every anchor that cites each reference, in reading order: unofficial uses first, then the body. */
export function backlinks(
  references: readonly Cited[],
  uses: readonly UseWithReferences[],
  body: string,
): Map<string, string[]> {
  const counts = bodyCitationCounts(body);
  const unknown = [...counts.keys()].filter((id) => !references.some((ref) => ref.id === id));
  if (unknown.length > 0) {
    throw new Error(
      `field "references": the body cites ${unknown.map((id) => `"${id}"`).join(', ')}, which is not in the page's references`,
    );
  }
  return new Map(
    references.map((ref) => [
      ref.id,
      [
        ...uses.flatMap((use, i) => (use.references.includes(ref.id) ? [useCitationId(ref.id, i)] : [])),
        ...Array.from({ length: counts.get(ref.id) ?? 0 }, (_, k) => bodyCitationId(ref.id, k + 1)),
      ],
    ]),
  );
}
