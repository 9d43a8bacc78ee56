// The patch file: a git mailbox holding one message, as `git format-patch` writes it, so
// `git apply` and `git am --keep-cr` accept it. No field depends on the clock or the machine:
// the same base, tree, device and message give the same bytes.

export interface Author {
  name: string;
  email: string;
  /** RFC 2822 date, as in a mail `Date:` header. */
  date: string;
}

export interface MessageInfo {
  author: Author;
  /** Subject without `[PATCH]`, e.g. `[A_X100] Adapt attention kernels`. */
  subject: string;
  base: string;
  device: string;
}

// The sha of the mbox separator line is informational only; git am ignores it. Zeros keep
// the file independent of anything but its content.
const SEPARATOR = 'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n';
const SIGNATURE = '-- \nflagpatch\n';

export const TRAILER_BASE = 'Flagpatch-Base';
export const TRAILER_DEVICE = 'Flagpatch-Device';

/** Assembles the mailbox from the message fields and git's `--patch-with-stat` output. */
export function formatMailbox(info: MessageInfo, statAndDiff: Buffer): Buffer {
  const nonAscii = /[^\x00-\x7f]/.test(info.author.name + info.subject);
  const head =
    SEPARATOR +
    `From: ${encodeWords(info.author.name)} <${info.author.email}>\n` +
    `Date: ${info.author.date}\n` +
    `Subject: ${encodeWords(`[PATCH] ${info.subject}`)}\n` +
    (nonAscii ? 'MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n' : '') +
    '\n' +
    `${TRAILER_BASE}: ${info.base}\n` +
    `${TRAILER_DEVICE}: ${info.device}\n` +
    '---\n';
  return Buffer.concat([Buffer.from(head, 'utf8'), statAndDiff, Buffer.from(SIGNATURE)]);
}

/** The author of a git ident line `Name <email> 1700000000 +0100`. */
export function authorFromIdent(ident: string): Author {
  const m = /^(.*?) ?<([^>]*)> (\d+) ([+-]\d{4})$/.exec(ident.trim());
  if (!m) return { name: ident.trim(), email: '', date: rfc2822(0, '+0000') };
  return { name: m[1], email: m[2], date: rfc2822(Number(m[3]), m[4]) };
}

/** `Thu, 7 Apr 2005 15:13:13 -0700`, the date form git format-patch writes. */
export function rfc2822(epochSeconds: number, tz: string): string {
  const sign = tz[0] === '-' ? -1 : 1;
  const offsetMin = sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(3, 5)));
  const d = new Date((epochSeconds + offsetMin * 60) * 1000);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${tz}`;
}

/** RFC 2047 Q-encoding of a header value holding non-ASCII text, as format-patch does. */
function encodeWords(text: string): string {
  if (!/[^\x20-\x7e]/.test(text)) return text;
  const bytes = Buffer.from(text, 'utf8');
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9!*+\-/]/.test(c) ? c : b === 0x20 ? '_' : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `=?UTF-8?q?${out}?=`;
}

/**
 * Decodes RFC 2047 encoded words (`=?UTF-8?q?...?=`, `=?utf-8?b?...?=`) in a header value, in
 * one pass (headers come from other people's patches: no backtracking pattern).
 */
export function decodeWords(text: string): string {
  let out = '';
  let pos = 0;
  let lastWordEnd = -1;
  while (pos < text.length) {
    const start = text.indexOf('=?', pos);
    if (start === -1) break;
    const word = encodedWordAt(text, start);
    if (word === 'none-after') break;
    if (!word) {
      out += text.slice(pos, start + 2);
      pos = start + 2;
      continue;
    }
    const between = text.slice(pos, start);
    // Whitespace between two encoded words is not part of the text.
    if (!(lastWordEnd === pos && between.trim() === '')) out += between;
    out += word.text;
    pos = lastWordEnd = word.end;
  }
  return out + text.slice(pos);
}

/** The encoded word at `start`; 'none-after' when no later one can be complete (keeps it linear). */
function encodedWordAt(text: string, start: number): { text: string; end: number } | null | 'none-after' {
  const q1 = text.indexOf('?', start + 2);
  if (q1 === -1) return 'none-after';
  if (text[q1 + 2] !== '?') return null;
  const enc = text[q1 + 1].toLowerCase();
  if (enc !== 'q' && enc !== 'b') return null;
  // The data holds no "?": the word ends at the next "?", which must start "?=".
  const close = text.indexOf('?', q1 + 3);
  if (close === -1) return 'none-after';
  if (text[close + 1] !== '=') return null;
  const charset = text.slice(start + 2, q1);
  const data = text.slice(q1 + 3, close);
  if (charset.length === 0 || charset.length > 40) return null;
  let bytes: Buffer;
  if (enc === 'b') bytes = Buffer.from(data, 'base64');
  else {
    const raw: number[] = [];
    for (let i = 0; i < data.length; i++) {
      const c = data[i];
      if (c === '_') raw.push(0x20);
      else if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(data.slice(i + 1, i + 3))) {
        raw.push(parseInt(data.slice(i + 1, i + 3), 16));
        i += 2;
      } else raw.push(c.charCodeAt(0) & 0xff);
    }
    bytes = Buffer.from(raw);
  }
  const decoded = /^utf-?8$/i.test(charset) ? bytes.toString('utf8') : bytes.toString('latin1');
  return { text: decoded, end: close + 2 };
}
