// The files init copies into a fork (templates/: the hook scripts and a sample hetero.txt),
// and the package's own package.json. Found through the package's self-reference
// ("flagpatch/templates/*" in its exports), so they are found wherever it is installed or
// built to, never by counting folders up from this file.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The text of `templates/<name>` (e.g. `hooks/pre-commit`, `hetero.txt`). */
export function readTemplate(name: string): string {
  return fs.readFileSync(fileURLToPath(import.meta.resolve(`flagpatch/templates/${name}`)), 'utf8');
}

/** flagpatch's own package.json. */
export function ownPackage(): { version: string; engines: { node: string }; dependencies: Record<string, string> } {
  return JSON.parse(fs.readFileSync(fileURLToPath(import.meta.resolve('flagpatch/package.json')), 'utf8'));
}
