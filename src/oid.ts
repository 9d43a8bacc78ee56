// Object ids: 40 hex digits in SHA-1 repositories, 64 in SHA-256 ones
// (`git init --object-format=sha256`). Every check of an id uses this one rule.

/** An object id, as a regular expression source (no anchors), for patterns that embed one. */
export const OID = '[0-9a-f]{40}(?:[0-9a-f]{24})?';

const OID_RE = new RegExp(`^${OID}$`);

/** Whether `text` is a full object id of either format. */
export function isOid(text: string): boolean {
  return OID_RE.test(text);
}

/** The all-zero id ("no object") of the format whose ids are `hexLength` digits long. */
export function nullOid(hexLength = 40): string {
  return '0'.repeat(hexLength);
}

/** Whether `text` is an all-zero id (a deleted ref in git's hook input). */
export function isNullOid(text: string): boolean {
  return isOid(text) && /^0+$/.test(text);
}
