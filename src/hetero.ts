// The hetero registry: which devices are adapted together on which base.
//   # comments and blank lines are allowed
//   aaaaaa: A_X100 B_Y100
import { DEVICE_RE } from './layout.js';

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
  problems: HeteroProblem[];
}

export function parseHetero(text: string, idLength: number): Hetero {
  const combinations: Combination[] = [];
  const problems: HeteroProblem[] = [];
  const seen = new Map<string, number>();
  const example = `${'a'.repeat(idLength)}: A_X100 B_Y100`;
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const content = raw.replace(/\r$/, '').replace(/#.*/, '').trim();
    if (!content) return;
    const m = /^([^:\s]+)\s*:(.*)$/.exec(content);
    if (!m) {
      problems.push({ line, message: `expected "<ID>: <DEVICE> <DEVICE>...", found ${JSON.stringify(content)}`, fix: `write the line as "${example}"` });
      return;
    }
    const id = m[1];
    const devices = m[2].trim().split(/\s+/).filter(Boolean);
    if (!new RegExp(`^[0-9a-f]{${idLength}}$`).test(id)) {
      problems.push({ line, message: `ID ${JSON.stringify(id)} is not ${idLength} lowercase hex digits`, fix: `use the base commit abbreviated to ${idLength} digits, as in the patch folder name` });
      return;
    }
    const badDevices = devices.filter((d) => !DEVICE_RE.test(d));
    if (badDevices.length) {
      problems.push({ line, message: `bad device name ${JSON.stringify(badDevices[0])}`, fix: 'device names use ASCII letters, digits and _ only, separated by spaces' });
      return;
    }
    if (devices.length < 2) {
      problems.push({ line, message: `a combination needs at least two devices, found ${devices.length}`, fix: `list every device trained together, e.g. "${example}"` });
      return;
    }
    const dup = devices.find((d, j) => devices.indexOf(d) !== j);
    if (dup) {
      problems.push({ line, message: `device ${dup} is listed twice`, fix: 'list each device once' });
      return;
    }
    const key = `${id}:${[...devices].sort().join(' ')}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({ line, message: `repeats the combination of line ${first}`, fix: 'remove one of the two lines' });
      return;
    }
    seen.set(key, line);
    combinations.push({ line, id, devices });
  });
  return { combinations, problems };
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
