/** One line per event, so a flood of bad requests cannot turn the log into a flood of stack traces. */
import { inspect } from 'node:util';

const line = (level: string, message: string) =>
  `${new Date().toISOString()} ${level} [${process.pid}] ${message.replace(/\s*\n\s*/g, ' ⏎ ')}\n`;

export const log = {
  info(message: string): void {
    process.stdout.write(line('info', message));
  },
  warn(message: string): void {
    process.stderr.write(line('warn', message));
  },
  error(message: string, error?: unknown): void {
    const detail =
      error instanceof Error ? `: ${error.name}: ${error.message}` : error === undefined ? '' : `: ${inspect(error)}`;
    process.stderr.write(line('error', `${message}${detail}`));
  },
};

/** A client that hung up or sent garbage is not a server failure; it gets a short line, not a stack. */
export function isClientAbort(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  const name = (error as { name?: string } | undefined)?.name;
  return (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    code === 'ABORT_ERR' ||
    name === 'AbortError' ||
    (error instanceof Error && /aborted|premature close|terminated/i.test(error.message))
  );
}
