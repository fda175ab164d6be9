// Small helpers for writing YAML and snippet text.

// Plain scalars that YAML (1.1 readers included) would read as something other than the string.
const RESERVED = /^(?:true|false|null|yes|no|on|off|y|n|~|[-+]?[0-9][0-9_.:eE+-]*)$/i;
const PLAIN = /^[A-Za-z0-9_/.][A-Za-z0-9_./ -]*$/;

/** A name written as a YAML key: plain when that reads back as the same string, quoted otherwise. */
export function yamlKey(name: string): string {
  if (PLAIN.test(name) && !RESERVED.test(name) && !name.endsWith(' ')) return name;
  return JSON.stringify(name);
}

/** Text made safe to put literally in a snippet. */
export function snippetText(text: string): string {
  return text.replace(/[$}\\]/g, (ch) => `\\${ch}`);
}

/** A snippet choice `${n|a,b|}` of the given values. */
export function snippetChoice(n: number, values: readonly string[]): string {
  return `\${${n}|${values.map((v) => v.replace(/[,|\\$}]/g, (ch) => `\\${ch}`)).join(',')}|}`;
}
