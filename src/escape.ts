// Text from untrusted data (file names, commit subjects) made safe to print: control
// characters (newlines included) and the invisible ones that reorder text are escaped, so no
// line can pass for a CI workflow command or for flagpatch's own output. --json needs none of
// this: JSON.stringify escapes what JSON must, and the data stays exact.

// C0 and C1 controls, DEL, line and paragraph separators, bidirectional overrides and isolates.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/** For a Markdown table cell: printable, with every character Markdown or HTML could act on escaped. */
export function markdown(text: string): string {
  return printable(text).replace(/[\\`*_{}[\]<>()#+\-.!|~@&:]/g, (c) => `\\${c}`);
}
