/**
 * Exact port-number lookups without the full-text index: `/lookup/N.json` holds ports N×100 to N×100+99, a few
 * KB per number typed.
 */
export const LOOKUP_SHARD_SIZE = 100;
export const lookupShard = (port: number) => Math.floor(port / LOOKUP_SHARD_SIZE);
