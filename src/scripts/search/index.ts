/** Everything the search UIs load once a reader starts searching: one chunk, fetched on first use. */
export * from './engine.ts';
export * from './view.ts';
