/**
 * Links a stylesheet once and resolves when it has loaded (or failed: the element then works unstyled rather than
 * not at all). For the styles of what a script creates, which travel with the script instead of with every page.
 */
const loading = new Map<string, Promise<void>>();

export function stylesheet(href: string): Promise<void> {
  let pending = loading.get(href);
  if (!pending) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    pending = new Promise<void>((done) => {
      link.addEventListener(
        'load',
        () => {
          done();
        },
        { once: true },
      );
      link.addEventListener(
        'error',
        () => {
          done();
        },
        { once: true },
      );
    });
    document.head.append(link);
    loading.set(href, pending);
  }
  return pending;
}
