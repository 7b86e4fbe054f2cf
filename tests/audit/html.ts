/** HTML validity of every built page, with html-validate's recommended rules. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HtmlValidate, StaticConfigLoader, type ConfigData } from 'html-validate';

const CONFIG: ConfigData = {
  extends: ['html-validate:recommended'],
  rules: {
    // Astro writes void elements as `<meta ...>` or `<meta ... />` depending on the source; both are valid HTML.
    'void-style': 'off',
    // Prettier decides quoting and formatting of the source; the built markup is minified.
    'attribute-boolean-style': 'off',
    // Long, descriptive titles ("Port 3521: Telequip Labs MC3SS · Dormant Ports") serve search results well.
    'long-title': 'off',
    // Checkbox groups (feedback reasons, search filters) post several values under one name, as forms should.
    'form-dup-name': ['error', { shared: ['radio', 'checkbox', 'button', 'reset', 'submit'] }],
    // The header search is the ARIA combobox pattern: its popup is a listbox of links, which <select> cannot be.
    'prefer-native-element': ['error', { exclude: ['listbox'] }],
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
  const validator = new HtmlValidate(new StaticConfigLoader(CONFIG));
  const errors: string[] = [];
  let files = 0;
  for await (const file of htmlFiles(dir)) {
    files++;
    const report = await validator.validateString(await readFile(file, 'utf8'), file);
    for (const result of report.results) {
      for (const m of result.messages)
        errors.push(`${file.slice(dir.length)}:${m.line}:${m.column} ${m.ruleId}: ${m.message}`);
    }
  }
  return { files, errors };
}
