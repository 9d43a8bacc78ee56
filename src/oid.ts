// Object ids: 40 hex digits (SHA-1 repositories) or 64 (SHA-256). One rule for every check.
export const OBJECT_ID_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export function isObjectId(s: string): boolean {
  return OBJECT_ID_RE.test(s);
}
