import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listCases, OUTPUTS, renderCase } from './cases.js';

/** `npm run snapshots:update`: rewrites every expected output from the current renderer. */
for (const c of listCases()) {
  const rendered = await renderCase(c);
  for (const [file, content] of rendered) writeFileSync(join(c.dir, file), content);
  for (const out of OUTPUTS) if (out.optional && !rendered.has(out.file)) rmSync(join(c.dir, out.file), { force: true });
  console.log(`updated ${c.name}`);
}
