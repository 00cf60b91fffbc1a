import { expect } from 'chai';
import { createTwoFilesPatch } from 'diff';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listCases, OUTPUTS, renderCase } from './cases.js';

describe('golden snapshots (rules-snapshots/)', () => {
  const cases = listCases();

  it('has at least 25 cases', () => {
    expect(cases.length).to.be.at.least(25);
  });

  for (const c of cases) {
    it(`${c.name}: every backend's output equals the pinned files`, async () => {
      const rendered = await renderCase(c);
      const problems: string[] = [];
      for (const [file, actual] of rendered) {
        const path = join(c.dir, file);
        if (!existsSync(path)) {
          problems.push(`${path} is missing: run npm run snapshots:update`);
          continue;
        }
        const expected = readFileSync(path, 'utf8');
        if (expected !== actual) problems.push(createTwoFilesPatch(`${path} (pinned)`, `${path} (rendered)`, expected, actual, '', '', { context: 2 }));
      }
      for (const out of OUTPUTS.filter((o) => o.optional && !rendered.has(o.file))) {
        if (existsSync(join(c.dir, out.file))) problems.push(`${join(c.dir, out.file)} is pinned but the render is now empty: run npm run snapshots:update`);
      }
      if (problems.length) expect.fail(`${c.name} differs from its snapshot (npm run snapshots:update after reviewing):\n${problems.join('\n')}`);
    });
  }
});
