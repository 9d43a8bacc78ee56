// The hetero registry: which devices are adapted together on which base.
//   # comments and blank lines are allowed
//   aaaaaa: A_X100 B_Y100
import type { Config } from './config.js';
import { DEVICE_RE } from './layout.js';
import { LIMITS, mib } from './limits.js';
import type { FileSource } from './source.js';

export interface Combination {
  /** 1-based line number in the file. */
  line: number;
  id: string;
  devices: string[];
}

export interface HeteroProblem {
  line: number;
  message: string;
  fix: string;
}

export interface Hetero {
  combinations: Combination[];
  /** The first LIMITS.problems problems; `moreProblems` counts the rest. */
  problems: HeteroProblem[];
  moreProblems?: number;
  /** The file's text, as read ('' when absent). */
  text?: string;
}

/** Reads and parses the hetero registry of a commit, the index or the work tree (bounded). */
export async function readHetero(source: FileSource, cfg: Pick<Config, 'heteroFile' | 'idLength'>): Promise<Hetero> {
  const [bytes] = await source.read([cfg.heteroFile], LIMITS.heteroBytes);
  if (bytes === 'too-large') {
    return {
      combinations: [],
      problems: [{ line: 1, message: `is larger than ${mib(LIMITS.heteroBytes)}, the limit for the hetero registry`, fix: 'keep one line per combination; remove what is not a combination' }],
      text: '',
    };
  }
  if (bytes === 'not-a-file') {
    return { combinations: [], problems: [{ line: 1, message: 'is a symlink or a folder, not the registry itself', fix: `replace ${cfg.heteroFile} with a regular file` }], text: '' };
  }
  const text = bytes ? bytes.toString('utf8') : '';
  return { ...parseHetero(text, cfg.idLength), text };
}

export function parseHetero(text: string, idLength: number): Hetero {
  const combinations: Combination[] = [];
  const seen = new Map<string, number>();
  const example = `${'a'.repeat(idLength)}: A_X100 B_Y100`;
  let more = 0;
  const idRe = new RegExp(`^[0-9a-f]{${idLength}}$`);
  const problems: HeteroProblem[] = [];
  const report = (p: HeteroProblem) => (problems.length < LIMITS.problems ? problems.push(p) : more++);
  const all = text.split('\n');
  if (all.length > LIMITS.heteroLines) {
    // Listed first, so it is seen however many problems follow.
    problems.push({
      line: LIMITS.heteroLines + 1,
      message: `has ${all.length} lines, more than ${LIMITS.heteroLines}, the limit for the hetero registry; the rest is not read`,
      fix: 'keep one line per combination trained together',
    });
  }
  all.slice(0, LIMITS.heteroLines).forEach((raw, i) => {
    const line = i + 1;
    const hash = raw.indexOf('#');
    const content = (hash === -1 ? raw : raw.slice(0, hash)).trim();
    if (!content) return;
    const colon = content.indexOf(':');
    const m = colon > 0 && !/\s/.test(content.slice(0, colon).trimEnd()) ? [content, content.slice(0, colon).trimEnd(), content.slice(colon + 1)] : null;
    if (!m) {
      report({ line, message: `expected "<ID>: <DEVICE> <DEVICE>...", found ${JSON.stringify(content.slice(0, 60))}${content.length > 60 ? '…' : ''}`, fix: `write the line as "${example}"` });
      return;
    }
    const id = m[1];
    const devices = m[2].trim().split(/\s+/).filter(Boolean);
    if (!idRe.test(id)) {
      report({
        line,
        message: `ID ${JSON.stringify(id.slice(0, 60))} is not ${idLength} lowercase hex digits`,
        fix: `use the base commit abbreviated to ${idLength} digits, as in the patch folder name`,
      });
      return;
    }
    const badDevices = devices.filter((d) => !DEVICE_RE.test(d));
    if (badDevices.length) {
      report({ line, message: `bad device name ${JSON.stringify(badDevices[0].slice(0, 60))}`, fix: 'device names use ASCII letters, digits and _ only, separated by spaces' });
      return;
    }
    if (devices.length < 2) {
      report({ line, message: `a combination needs at least two devices, found ${devices.length}`, fix: `list every device trained together, e.g. "${example}"` });
      return;
    }
    const dup = firstRepeat(devices);
    if (dup) {
      report({ line, message: `device ${dup} is listed twice`, fix: 'list each device once' });
      return;
    }
    const key = `${id}:${[...devices].sort().join(' ')}`;
    const first = seen.get(key);
    if (first !== undefined) {
      report({ line, message: `repeats the combination of line ${first}`, fix: 'remove one of the two lines' });
      return;
    }
    seen.set(key, line);
    combinations.push({ line, id, devices });
  });
  return more ? { combinations, problems, moreProblems: more } : { combinations, problems };
}

/** The first item that occurs twice (linear: lines are untrusted and may be long). */
export function firstRepeat(items: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const x of items) {
    if (seen.has(x)) return x;
    seen.add(x);
  }
  return undefined;
}

/** Does some line list every one of `devices` for `id`? */
export function listsTogether(hetero: Hetero, id: string, devices: readonly string[]): boolean {
  return hetero.combinations.some((c) => c.id === id && devices.every((d) => c.devices.includes(d)));
}

/**
 * Records `devices` as a combination at `id`: nothing when a line already lists them all, the
 * line extended when it lists some of them and nothing else, a new line otherwise.
 */
export function addCombination(text: string, hetero: Hetero, id: string, devices: readonly string[]): string {
  if (listsTogether(hetero, id, devices)) return text;
  const lines = text.split('\n');
  const subset = hetero.combinations.find((c) => c.id === id && c.devices.every((d) => devices.includes(d)));
  if (subset) {
    const merged = [...subset.devices, ...devices.filter((d) => !subset.devices.includes(d))];
    const comment = /#.*$/.exec(lines[subset.line - 1].replace(/\r$/, ''))?.[0];
    const cr = lines[subset.line - 1].endsWith('\r') ? '\r' : '';
    lines[subset.line - 1] = `${id}: ${merged.join(' ')}${comment ? ` ${comment}` : ''}${cr}`;
    return lines.join('\n');
  }
  const body = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  return `${body}${id}: ${devices.join(' ')}\n`;
}
