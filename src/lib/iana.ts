/** How IANA writes things in its registry, and where a port's own registry page is. */

/** IANA writes people as `[Rick_Stefanik]` and documents as `[RFC6335]`; readers want the plain name. */
export function ianaName(value: string): string {
  return value.replace(/^\[|\]$/g, '').replace(/_/g, ' ');
}

/** IANA's own registry page, filtered to one port. */
export function ianaRegistryUrl(port: number): string {
  return `https://www.iana.org/assignments/service-names-port-numbers/service-names-port-numbers.xhtml?search=${port}`;
}
