// The one table of configuration keys. The defaults, the validator (src/config.ts) and the
// shipped JSON Schema (schema/flagpatchrc.schema.json, written by `npm run schema`) all come
// from it; the validator checks each value against the same schema fragment the editors get.

/** The subset of JSON Schema the table uses. */
export interface SchemaFragment {
  type: 'string' | 'integer' | 'array';
  pattern?: string;
  minimum?: number;
  maximum?: number;
  items?: SchemaFragment;
  maxItems?: number;
  description?: string;
  default?: unknown;
}

interface KeySpec {
  schema: SchemaFragment;
  /** What the validator says it expected. */
  expected: string;
}

// A relative path inside the repository: no leading "/", no empty, "." or ".." part, no ".git"
// part (any case), no backslash or control character.
const INNER_PATH = '^(?!/)(?!.*//)(?!(.*/)?\\.{1,2}(/|$))(?!(.*/)?\\.[Gg][Ii][Tt](/|$))[^\\\\\\u0000-\\u001f\\u007f]+$';

export const KEYS: Record<string, KeySpec> = {
  $schema: { schema: { type: 'string' }, expected: 'a string' },
  deviceType: {
    schema: {
      type: 'string',
      pattern: '^[A-Za-z0-9_]+$',
      description: "This fork's device: vendor and chip, ASCII letters, digits and _ (e.g. A_X100). Without it the hooks do nothing and commands need --device-type.",
    },
    expected: 'a device name of ASCII letters, digits and _ (e.g. "A_X100")',
  },
  baseCommit: {
    schema: { type: 'string', pattern: '^[^\\s\\-]\\S{0,199}$', description: 'The upstream commit adapted; flagpatch init writes its full sha.' },
    expected: 'a commit id (the full sha written by `flagpatch init`)',
  },
  patchDir: {
    schema: { type: 'string', pattern: INNER_PATH, default: 'hardwares', description: 'Where patches live: <patchDir>/<DEVICE>/<ID>/<ID>.patch.' },
    expected: 'a relative path inside the repository, without "..", "." or ".git" (e.g. "hardwares")',
  },
  heteroFile: {
    schema: { type: 'string', pattern: INNER_PATH, default: 'hetero.txt', description: 'The registry of devices adapted together on one base.' },
    expected: 'a relative path inside the repository, without "..", "." or ".git" (e.g. "hetero.txt")',
  },
  idLength: {
    schema: { type: 'integer', minimum: 4, maximum: 40, default: 6, description: 'Hex digits of the base commit in the patch ID.' },
    expected: 'a whole number from 4 to 40',
  },
  exclude: {
    schema: {
      type: 'array',
      items: { type: 'string', pattern: `(?=^[^:])(?=^.{1,128}$)${INNER_PATH}` },
      maxItems: 32,
      default: [],
      description: 'Extra paths or git wildcard patterns, relative to the top of the repository, that are never part of the vendor patch.',
    },
    expected: 'a list of at most 32 paths or patterns of at most 128 characters, relative to the top of the repository (no leading ":", "/", no "..")',
  },
  name: {
    schema: {
      type: 'string',
      pattern: '^(?!\\.{1,2}$)[^/\\\\\\u0000-\\u001f\\u007f]+$',
      description: "Folder name of materialized trees (DIR/<DEVICE>/<name>); default: the repository folder's name.",
    },
    expected: 'a folder name (no "/", not "." or "..")',
  },
};

export const DEFAULTS = { patchDir: 'hardwares', heteroFile: 'hetero.txt', idLength: 6, exclude: [] as string[] };

const compiled = new Map<string, RegExp>();
function re(pattern: string): RegExp {
  let r = compiled.get(pattern);
  if (!r) compiled.set(pattern, (r = new RegExp(pattern, 'u')));
  return r;
}

/** Whether `v` satisfies a schema fragment (the subset above). */
export function matches(s: SchemaFragment, v: unknown): boolean {
  switch (s.type) {
    case 'string':
      return typeof v === 'string' && v.length <= 4096 && (!s.pattern || re(s.pattern).test(v));
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) && (s.minimum === undefined || v >= s.minimum) && (s.maximum === undefined || v <= s.maximum);
    case 'array':
      return Array.isArray(v) && v.length <= (s.maxItems ?? 1000) && (!s.items || v.every((x) => matches(s.items!, x)));
  }
}

/** null when `v` is a valid value of `key`, else what was expected. */
export function validateValue(key: string, v: unknown): string | null {
  const spec = KEYS[key];
  return matches(spec.schema, v) ? null : spec.expected;
}

/** The JSON Schema of `.flagpatchrc.json`, as shipped. */
export function jsonSchema(): object {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'flagpatch configuration (.flagpatchrc.json)',
    description: 'Generated from src/config-keys.ts by `npm run schema`; do not edit by hand.',
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(Object.entries(KEYS).map(([k, spec]) => [k, spec.schema])),
  };
}
