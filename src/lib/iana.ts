/**
 * How IANA writes things in its registry, read for people: bracketed names (`[Rick_Stefanik]`, several in a row
 * as `[Vera_Heinau][Heiko_Schlichting]`), references (`[RFC3501][RFC9051]`, drafts, URLs), and whether an
 * assignee is a person, an organisation or the IETF.
 */

/** The items of an IANA field: each `[Bracketed_Item]` on its own, and any plain text between them as it is. */
export function ianaItems(value: string): string[] {
  const items: string[] = [];
  for (const match of value.matchAll(/\[([^\]]*)\]|([^[\]]+)/g)) {
    const item = (match[1] ?? match[2] ?? '').trim();
    if (item) items.push(item);
  }
  return items;
}

/** `[Rick_Stefanik]` → "Rick Stefanik"; `[Vera_Heinau][Heiko_Schlichting]` → "Vera Heinau, Heiko Schlichting". */
export function ianaName(value: string): string {
  return ianaItems(value)
    .map((item) => item.replace(/_/g, ' '))
    .join(', ');
}

export interface IanaReference {
  /** How the reference reads: "RFC 9110", "draft-ietf-…", or IANA's own text. */
  label: string;
  url?: string;
}

/** IANA's reference column as separate references, each linked where it names a document that has an address. */
export function ianaReferences(value: string): IanaReference[] {
  return ianaItems(value).map((item) => {
    const rfc = /^RFC[\s-]?(\d+)$/i.exec(item);
    if (rfc) return { label: `RFC ${rfc[1]!}`, url: `https://www.rfc-editor.org/rfc/rfc${rfc[1]!}` };
    if (/^draft-[\w.-]+$/i.test(item)) return { label: item, url: `https://datatracker.ietf.org/doc/${item}` };
    if (/^https?:\/\/\S+$/i.test(item)) return { label: item, url: item };
    return { label: item.replace(/_/g, ' ') };
  });
}

/** A reference is a document (a specification a protocol was written to), not a person's name. */
export function citesDocument(value: string | undefined): boolean {
  return !!value && ianaReferences(value).some((ref) => ref.url !== undefined || /\d/.test(ref.label));
}

export type AssigneeKind = 'person' | 'organisation' | 'ietf';

// Words that make a bracketed name a company, a project or a body rather than a person.
const ORGANISATION =
  /\b(inc|incorporated|corp|corporation|co|company|ltd|limited|llc|llp|plc|gmbh|ag|sa|sas|srl|bv|nv|oy|ab|as|kk|pty|systems?|software|networks?|technolog(y|ies)|labs?|laboratories|group|foundation|project|consortium|alliance|association|institute|university|college|forum|organi[sz]ation|international|solutions|services|communications|computing|computers?|microsystems|electronics|industries|enterprises?|media|research|partners|holdings|ventures|team|working|committee|council|society|agency|department|ministry|government|bank|trust)\b/i;
const IETF = /^(iesg|ietf|iab|iana|irtf|ietf[ _]chair)$/i;
const PARTICLE = /^(de|da|di|do|du|del|della|der|den|des|dos|das|van|von|la|le|y|e|bin|ibn|al|el|st\.?)$/;

/**
 * Who an assignee is. IANA writes people as `[First_Last]` and companies the same way (`[Docker_Inc]`,
 * `[Cisco_Systems]`), so a bracketed name counts as a person only when none of its words marks an organisation
 * and it is not an acronym; unbracketed text ("Acme, Inc.") is an organisation.
 */
export function assigneeKind(value: string): AssigneeKind {
  const items = ianaItems(value);
  if (items.some((item) => IETF.test(item) || /^RFC\d+$/i.test(item))) return 'ietf';
  const bracketed = /^\s*\[/.test(value);
  const person = (item: string) => {
    const words = item.split(/[_\s]+/).filter(Boolean);
    if (words.length < 2 || ORGANISATION.test(words.join(' '))) return false;
    // An acronym or a name with digits is a company or a product ("3Com", "IBM", "SGI"); a person's name may
    // carry particles ("de", "van") in lower case.
    return words.every(
      (word) => PARTICLE.test(word) || (/^[\p{Lu}][\p{L}'.-]*$/u.test(word) && !/^[\p{Lu}\d]{2,}$/u.test(word)),
    );
  };
  return bracketed && items.length > 0 && items.every(person) ? 'person' : 'organisation';
}

/** IANA's own registry page, filtered to one port. */
export function ianaRegistryUrl(port: number): string {
  return `https://www.iana.org/assignments/service-names-port-numbers/service-names-port-numbers.xhtml?search=${port}`;
}
