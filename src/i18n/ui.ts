/**
 * Every string the interface shows, in one place. Content (articles, IANA facts) is not here; the words around
 * it are. `t()` is typed by key, so a missing or misspelt key fails `astro check`.
 */
export const ui = {
  'site.name': 'Dormant Ports',
  'site.tagline': 'Registered ports whose service never shipped or has vanished',
  'site.description':
    'A reference to registered TCP and UDP ports whose registered service never shipped or has vanished, and to the malware and hobby projects that use them anyway.',
  'skipLink': 'Skip to content',
  'nav.label': 'Main',
  'nav.home': 'Home',
  'nav.ports': 'Ports',
  'footer.iana': 'Registry facts come from the IANA Service Name and Transport Protocol Port Number Registry (CC0).',
  'footer.prose': 'Articles are written for this site; every fact links its source.',

  'breadcrumbs.label': 'Breadcrumbs',
  'port.heading': 'Port {port}: {title}',
  'port.registration': 'Registration',
  'port.iana.service': 'Service name',
  'port.iana.description': 'Description',
  'port.iana.protocols': 'Protocols',
  'port.iana.assignee': 'Assignee',
  'port.iana.contact': 'Contact',
  'port.iana.registered': 'Registered',
  'port.iana.modified': 'Modified',
  'port.iana.reference': 'Reference',
  'port.iana.unauthorizedUse': 'Unauthorized use reported',
  'port.iana.none': 'none recorded',
  'port.iana.link': 'Port {port} in IANA’s registry',
  'port.status': 'Status',
  'port.uses': 'Unofficial uses',
  'port.uses.none': 'No unofficial use of this port has been documented yet.',
  'port.uses.kind': 'Kind',
  'port.uses.aliases': 'Also known as',
  'port.uses.protocols': 'Protocols',
  'port.uses.ports': 'Ports',
  'port.uses.period': 'Seen',
  'port.uses.evidence': 'Evidence',
  'port.uses.references': 'Sources',
  'port.check': 'Check what is listening on port {port}',
  'port.check.intro':
    'Run one of these on the machine you want to check. Administrator or root rights are needed to see other users’ processes. Replace <PID> with the process id the first command prints.',
  'port.check.tabs': 'Operating system',
  'port.article': 'About this port',
  'port.references': 'References',
  'port.references.backlinks': 'Jump back to citation',
  'port.references.accessed': 'Accessed',
  'port.reviewed.label': 'Last reviewed',
  'port.feedback': 'Feedback',

  'os.linux': 'Linux',
  'os.macos': 'macOS',
  'os.windows': 'Windows (cmd)',
  'os.powershell': 'PowerShell',

  'copy.button': 'Copy',
  'copy.done': 'Copied',
  'copy.failed': 'Press Ctrl+C to copy',
  'copy.label': 'Copy command: {command}',

  'range.system': 'Well-known',
  'range.user': 'Registered',
  'range.dynamic': 'Dynamic',
  'range.system.explain': 'System ports 0–1023: assigned by IANA through IETF review; binding them needs privileges on most systems.',
  'range.user.explain': 'User ports 1024–49151: registered with IANA for a named service, which coordinates but does not reserve them.',
  'range.dynamic.explain': 'Dynamic ports 49152–65535: never assigned; operating systems hand them out for short-lived connections.',

  'status.dormant': 'Dormant',
  'status.squatted': 'Squatted',
  'status.active': 'Active',

  'kind.malware': 'Malware',
  'kind.game': 'Game',
  'kind.software': 'Software',
  'kind.other': 'Other',

  'evidence.sourced': 'Sourced',
  'evidence.reported': 'Reported, not yet sourced',
  'evidence.reported.explain': 'This claim circulates in port write-ups, but we have not found a primary source for it.',

  'protocol.tcp': 'TCP',
  'protocol.udp': 'UDP',
  'protocol.sctp': 'SCTP',
  'protocol.dccp': 'DCCP',

  'home.title': 'Registered ports nobody uses',
  'home.featured': 'Port pages',
  'home.allPorts': 'All port pages',

  'index.title': 'All port pages',
  'index.intro': 'Every port with an article on this site.',
  'index.caption': 'Port pages, by port number',
  'index.port': 'Port',
  'index.service': 'Service',
  'index.status': 'Status',
  'index.registered': 'Registered',
  'index.uses': 'Unofficial uses',

  'notFound.title': 'Page not found',
  'notFound.lead': 'There is no page at this address.',
  'notFound.port': 'There is no page for port {port} yet. It is in the {range} range ({first}–{last}).',
  'notFound.notPort': '{value} is not a port number: ports run from 0 to 65535.',
  'lookup.label': 'Port number',
  'lookup.submit': 'Go to port',
  'lookup.hint': 'A number from 0 to 65535.',
  'lookup.invalid': 'Enter a whole number from 0 to 65535.',
} as const;

export type UIKey = keyof typeof ui;

/** The string for `key`, with `{name}` placeholders filled from `values`. */
export function t(key: UIKey, values: Record<string, string | number> = {}): string {
  return ui[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
