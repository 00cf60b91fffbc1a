import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listCases, renderCase } from './cases.js';

/** `npm run snapshots:update`: rewrites every expected output from the current renderer. */
for (const c of listCases()) {
  for (const [file, content] of await renderCase(c)) writeFileSync(join(c.dir, file), content);
  console.log(`updated ${c.name}`);
}
