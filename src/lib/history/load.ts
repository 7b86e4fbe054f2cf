/**
 * The registry's history read from disk once per process: the record (content/registry/history.csv) against
 * the snapshot it ends with. The content loader (which gives removed ports their pages) and the pages share it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readTimeline, type Timeline } from './changes.ts';
import { readSnapshot } from './diff.ts';
import { parseHistory } from './record.ts';

const loaded = new Map<string, Timeline>();

export function loadTimeline(historyPath: string, snapshotPath: string): Timeline {
  const key = `${resolve(historyPath)}\n${resolve(snapshotPath)}`;
  let timeline = loaded.get(key);
  if (!timeline) {
    const read = (path: string, what: string) => {
      try {
        return readFileSync(path, 'utf8');
      } catch (error) {
        throw new Error(`${resolve(path)}: cannot read ${what} (${(error as Error).message})`, { cause: error });
      }
    };
    const history = read(historyPath, 'the registry history; npm run registry:history rebuilds it');
    try {
      timeline = readTimeline(parseHistory(history), readSnapshot(read(snapshotPath, 'the registry snapshot')));
    } catch (error) {
      throw new Error(`${resolve(historyPath)}: ${(error as Error).message}`, { cause: error });
    }
    loaded.set(key, timeline);
  }
  return timeline;
}
