/**
 * Numbered references with back-links, Wikipedia style. References are numbered in the order a reader first meets
 * them in the page ([1] is the first cited, whatever the order of the frontmatter's `references` list; those never
 * cited come last); every place that cites one gets an anchor, and the reference links back to each one.
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

/** One citation on the page: the reference it cites and its own anchor. */
export interface Citation {
  id: string;
  anchor: string;
}

/**
 * Every citation in reading order: the body's `<Ref id="…" />`s as they come, with the unofficial uses' citations
 * where the body places `<UnofficialUses />`, or after the body when it does not (where the page then shows them).
 */
export function citationsInOrder(uses: readonly UseWithReferences[], body: string): Citation[] {
  const fromUses = uses.flatMap((use, i) => use.references.map((id) => ({ id, anchor: useCitationId(id, i) })));
  const seen = new Map<string, number>();
  const order: Citation[] = [];
  let placed = false;
  for (const match of body.matchAll(/<Ref\s+id=["']([^"']+)["']|<UnofficialUses\s*\/>/g)) {
    const id = match[1];
    if (id === undefined) {
      if (!placed) order.push(...fromUses);
      placed = true;
      continue;
    }
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    order.push({ id, anchor: bodyCitationId(id, n) });
  }
  if (!placed) order.push(...fromUses);
  return order;
}

export interface Numbering<T extends Cited> {
  /** The references in the order of their numbers. */
  references: T[];
  /** Reference id → its number on the page. */
  numbers: Map<string, number>;
  /** Reference id → anchors of the places that cite it, in reading order. */
  backlinks: Map<string, string[]>;
}

/**
 * Numbers the references by first citation in reading order (those never cited follow, in the frontmatter's order)
 * and gathers each one's back-links. Fails naming any reference the body cites that the page does not list.
 */
export function numberReferences<T extends Cited>(
  references: readonly T[],
  uses: readonly UseWithReferences[],
  body: string,
): Numbering<T> {
  const unknown = [...bodyCitationCounts(body).keys()].filter((id) => !references.some((ref) => ref.id === id));
  if (unknown.length > 0) {
    throw new Error(
      `field "references": the body cites ${unknown.map((id) => `"${id}"`).join(', ')}, which is not in the page's references`,
    );
  }
  const citations = citationsInOrder(uses, body);
  const first = (ref: T) => {
    const at = citations.findIndex((citation) => citation.id === ref.id);
    return at < 0 ? Number.MAX_SAFE_INTEGER : at;
  };
  // A stable sort: uncited references keep their frontmatter order after the cited ones.
  const ordered = [...references].sort((a, b) => first(a) - first(b));
  return {
    references: ordered,
    numbers: new Map(ordered.map((ref, i) => [ref.id, i + 1])),
    backlinks: new Map(ordered.map((ref) => [ref.id, citations.filter((c) => c.id === ref.id).map((c) => c.anchor)])),
  };
}
