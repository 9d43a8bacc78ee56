// npm run schema: writes schema/flagpatchrc.schema.json from the one table of config keys.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonSchema } from '../src/config-keys.js';

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'schema', 'flagpatchrc.schema.json');
fs.writeFileSync(file, `${JSON.stringify(jsonSchema(), null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), file)}`);
