/**
 * `npm run uses:check [files…]`: checks known-use files against the schema the build applies (src/schema.ts),
 * without a build, and prints one line per problem with file, entry id and field. With no files: content/uses/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { knownUseSchema } from '../schema.ts';

const args = process.argv.slice(2);
const files =
  args.length > 0
    ? args
    : readdirSync('content/uses')
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => join('content/uses', f));
const seen = new Map<string, string>();
let problems = 0;
let entries = 0;
const ports = new Set<number>();
for (const file of files) {
  let list: unknown;
  try {
    list = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    console.log(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    problems++;
    continue;
  }
  if (!Array.isArray(list)) {
    console.log(`${file}: expected a list of uses`);
    problems++;
    continue;
  }
  for (const [i, entry] of list.entries()) {
    entries++;
    const id = (entry as { id?: unknown } | null)?.id;
    const where = `${file}: entry ${i + 1}${typeof id === 'string' ? ` (${id})` : ''}`;
    if (typeof id === 'string') {
      if (seen.has(id)) {
        console.log(`${where}: id: already used in ${seen.get(id)}`);
        problems++;
      }
      seen.set(id, file);
    }
    const result = knownUseSchema.safeParse(entry);
    if (!result.success) {
      for (const issue of result.error.issues) console.log(`${where}: ${issue.path.join('.')}: ${issue.message}`);
      problems++;
    } else result.data.ports.forEach((p) => ports.add(p));
  }
}
console.log(`${entries} entries, ${ports.size} port numbers, ${problems} with problems, in ${files.length} files`);
process.exit(problems > 0 ? 1 : 0);
