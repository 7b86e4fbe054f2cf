/**
 * Opens the store a FEEDBACK_DB_URL names. Kept apart from the contract (store.ts), which the backends import:
 * were this in store.ts, store.ts and the backends would import each other.
 */
import { backendOf, DEFAULT_DB_URL, type FeedbackStore, type StoreOptions } from './store.ts';

export async function openStore(url: string = DEFAULT_DB_URL, options: StoreOptions = {}): Promise<FeedbackStore> {
  if (backendOf(url) === 'postgres') {
    const { PostgresStore } = await import('./postgres.ts');
    return new PostgresStore(url, options);
  }
  const { SqliteStore } = await import('./sqlite.ts');
  return new SqliteStore(url, options);
}
