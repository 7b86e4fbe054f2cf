/** HTML validity of every built page, with html-validate's recommended rules. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FileSystemConfigLoader, HtmlValidate, type ConfigData } from 'html-validate';

const CONFIG: ConfigData = {
  extends: ['html-validate:recommended'],
  rules: {
    // Astro writes void elements as `<meta ...>` or `<meta ... />` depending on the source; both are valid HTML.
    'void-style': 'off',
    // Prettier decides quoting and formatting of the source; the built markup is minified.
    'attribute-boolean-style': 'off',
    // Long, descriptive titles ("Port 3521: Telequip Labs MC3SS · Dormant Ports") serve search results well.
    'long-title': 'off',
  },
};

export async function* htmlFiles(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.html')) yield join(entry.parentPath, entry.name);
  }
}

export interface HtmlReport {
  files: number;
  errors: string[];
}

export async function validateHtml(dir: string): Promise<HtmlReport> {
  const validator = new HtmlValidate(new FileSystemConfigLoader(CONFIG));
  const errors: string[] = [];
  let files = 0;
  for await (const file of htmlFiles(dir)) {
    files++;
    const report = await validator.validateFile(file);
    for (const result of report.results) {
      for (const m of result.messages) errors.push(`${file.slice(dir.length)}:${m.line}:${m.column} ${m.ruleId}: ${m.message}`);
    }
  }
  return { files, errors };
}
