/**
 * One line per event on stderr, in the production server's format (src/server/log.ts, which src/lib may not
 * import): what the store noticed and did about it, for whoever reads the service's journal.
 */
export function logStore(level: 'warn' | 'error', message: string): void {
  process.stderr.write(
    `${new Date().toISOString()} ${level} [${process.pid}] feedback: ${message.replace(/\s*\n\s*/g, ' ')}\n`,
  );
}
