/**
 * The site's one script on every page, kept to a loader: each custom element that upgrades the server-rendered
 * HTML (every page works without them) is a chunk of its own, fetched only when an element of its name comes
 * near the viewport once the reader engages with the page, or for the header search, when the reader reaches
 * for it. A page's first load is this file; a reader who never scrolls to the check commands never downloads
 * their tabs.
 */
const NEAR: Record<string, () => Promise<unknown>> = {
  'check-commands': () => import('./check-commands.ts'),
  'feedback-widget': () => import('./feedback-widget.ts'),
  'port-lookup': () => import('./port-lookup.ts'),
  'search-page': () => import('./search-page.ts'),
  'number-answer': () => import('./number-answer.ts'),
  'listener-check': () => import('./listener-check.ts'),
};

const near = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      near.unobserve(entry.target);
      void NEAR[entry.target.localName]?.();
    }
  },
  // Half a screen ahead, so an element is upgraded before it scrolls into view.
  { rootMargin: '50% 0px' },
);
// An element the production server already filled in (`data-answered`: a number's page made from the 404 page's
// answer, src/server/number-page.ts) needs no script at all.
const observe = (names: string[]) => {
  for (const name of names)
    document.querySelectorAll(`${name}:not([data-answered])`).forEach((element) => {
      near.observe(element);
    });
};
// Elements that only add convenience to what the HTML already shows (tabs, copy buttons, the vote without a
// reload) wait until the reader engages with the page — a scroll, a touch, a key, the pointer moving — so a
// first visit costs the page, its stylesheet and this script, however tall the screen (issue 26, finding 2).
// The 404 page's answer and a search page opened with a query are the page's content: they start at once.
// (The 404 page's answer only where the address names a port: elsewhere it has nothing to say.)
const EAGER = [
  ...(/\/ports\/[^/]+\/?$/.test(location.pathname) ? ['number-answer'] : []),
  ...(new URLSearchParams(location.search).has('q') ? ['search-page'] : []),
];
observe(EAGER);
const ENGAGE = ['scroll', 'wheel', 'pointermove', 'pointerdown', 'touchstart', 'keydown', 'focusin'];
const engage = () => {
  for (const type of ENGAGE) removeEventListener(type, engage, true);
  observe(Object.keys(NEAR).filter((name) => name !== 'number-answer' && !EAGER.includes(name)));
};
for (const type of ENGAGE) addEventListener(type, engage, { capture: true, passive: true });

const search = document.querySelector('site-search');
const field = search?.querySelector('input');
if (search && field) {
  const upgrade = () => import('./site-search.ts');
  for (const type of ['focusin', 'pointerenter'])
    search.addEventListener(type, () => void upgrade(), { once: true, passive: true });
  // A port number typed while the element's code is on its way: its lookup shard (a hundred numbers a file,
  // src/lib/search/lookup.ts) and the page's strings load beside the code rather than one round trip after it,
  // and the element's fetch() finds them preloaded.
  field.addEventListener('input', () => {
    const n = Number(/^\s*(\d{1,5})\s*$/.exec(field.value)?.[1] ?? NaN);
    if (!(n <= 65535) || customElements.get('site-search')) return;
    for (const href of [`/lookup/${Math.floor(n / 100)}.json`, `/i18n/${document.documentElement.lang}.json`]) {
      if (document.head.querySelector(`link[href="${href}"]`)) continue;
      const link = document.createElement('link');
      link.rel = 'preload';
      link.as = 'fetch';
      link.crossOrigin = 'anonymous';
      link.href = href;
      document.head.append(link);
    }
  });
  // Enter pressed before the element's code has arrived: wait for it, so a port number still opens its page
  // rather than the search page; if the code cannot load, the form goes to /search/ as without JavaScript.
  const form = search.querySelector('form');
  form?.addEventListener('submit', (event) => {
    if (customElements.get('site-search')) return;
    event.preventDefault();
    upgrade().then(
      () => {
        form.requestSubmit();
      },
      () => {
        form.submit();
      },
    );
  });
  // `/` or Ctrl/⌘+K from anywhere on the page, except while typing in a field.
  document.addEventListener('keydown', (event) => {
    const typing = (event.target as HTMLElement).closest('input, textarea, select, [contenteditable="true"]');
    const slash = event.key === '/' && !typing && !event.ctrlKey && !event.metaKey && !event.altKey;
    const k = event.key.toLowerCase() === 'k' && (event.ctrlKey || event.metaKey);
    if (!slash && !k) return;
    event.preventDefault();
    field.focus();
    field.select();
  });
}
