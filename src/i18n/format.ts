/** Fills `{name}` placeholders in a UI string; shared by `t()` on the server and the scripts in the browser. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
