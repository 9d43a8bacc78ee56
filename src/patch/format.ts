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

/** Decodes RFC 2047 encoded words (`=?UTF-8?q?...?=`, `=?utf-8?b?...?=`) in a header value. */
export function decodeWords(text: string): string {
  return text
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([qQbB])\?([^?]*)\?=/g, (_all, charset: string, enc: string, data: string) => {
      const bytes =
        enc.toLowerCase() === 'b'
          ? Buffer.from(data, 'base64')
          : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      return /^utf-?8$/i.test(charset) ? bytes.toString('utf8') : bytes.toString('latin1');
    });
}
