import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { formatPortList, mergePortRanges, parsePortList, RESERVED_PORTS_FILE, reserveNodePortRange } from '../../src/daemon/reserved-ports.js';
import { recordingLog } from './helpers.js';

const RANGE = { min: 30000, max: 32767 };

describe('daemon/reserved-ports', function () {
  describe('port lists', function () {
    const cases: [string, string, string][] = [
      ['empty', '', '30000-32767'],
      ['unrelated ports kept', '22,8080-8090', '22,8080-8090,30000-32767'],
      ['overlap joins', '29000-30500,32000-33000', '29000-33000'],
      ['adjacent joins', '29999,32768', '29999-32768'],
      ['inside the range', '30100,31000-31010', '30000-32767'],
      ['unsorted, spaces, trailing newline', ' 40000 , 1-2\n', '1-2,30000-32767,40000'],
    ];
    for (const [name, existing, want] of cases) {
      it(name, function () {
        expect(formatPortList(mergePortRanges([...parsePortList(existing), RANGE]))).to.equal(want);
      });
    }
    for (const bad of ['abc', '10-5', '0', '70000', '1-2-3']) {
      it(`rejects ${JSON.stringify(bad)}`, function () {
        expect(() => parsePortList(bad)).to.throw(/invalid port list entry/);
      });
    }
  });

  describe('reserveNodePortRange against a fake procRoot', function () {
    let procRoot: string;
    let file: string;
    beforeEach(function () {
      procRoot = mkdtempSync(join(tmpdir(), 'pxd-proc-'));
      file = join(procRoot, RESERVED_PORTS_FILE);
      mkdirSync(dirname(file), { recursive: true });
    });
    afterEach(function () {
      rmSync(procRoot, { recursive: true, force: true });
    });

    it('writes the range into an empty file', async function () {
      writeFileSync(file, '\n');
      const { log } = recordingLog();
      expect(await reserveNodePortRange(RANGE, { procRoot, log })).to.deep.equal({ value: '30000-32767', changed: true });
      expect(readFileSync(file, 'utf8')).to.equal('30000-32767\n');
    });

    it('merges with what is there instead of clobbering it', async function () {
      writeFileSync(file, '22,31000-31500,40000\n');
      await reserveNodePortRange(RANGE, { procRoot, log: recordingLog().log });
      expect(readFileSync(file, 'utf8')).to.equal('22,30000-32767,40000\n');
    });

    it('does not write when the range is already reserved', async function () {
      writeFileSync(file, '29000-33000\n');
      const before = statSync(file).mtimeMs;
      const result = await reserveNodePortRange(RANGE, { procRoot, log: recordingLog().log });
      expect(result).to.deep.equal({ value: '29000-33000', changed: false });
      expect(statSync(file).mtimeMs).to.equal(before);
    });

    it('missing file: logs a warning and continues', async function () {
      const { log, lines } = recordingLog();
      expect(await reserveNodePortRange(RANGE, { procRoot, log })).to.deep.equal({ changed: false });
      expect(lines.map((l) => [l.level, l.meta.code])).to.deep.equal([['warn', 'ENOENT']]);
    });

    it('unparsable content: logs a warning and leaves it alone', async function () {
      writeFileSync(file, 'garbage\n');
      const { log, lines } = recordingLog();
      expect((await reserveNodePortRange(RANGE, { procRoot, log })).changed).to.equal(false);
      expect(readFileSync(file, 'utf8')).to.equal('garbage\n');
      expect(lines).to.have.length(1);
    });

    it('not writable: logs a warning and continues', async function () {
      writeFileSync(file, '22\n');
      const undo = makeUnwritable(file);
      if (!undo) this.skip();
      try {
        const { log, lines } = recordingLog();
        expect(await reserveNodePortRange(RANGE, { procRoot, log })).to.deep.equal({ value: '22', changed: false });
        expect(lines.map((l) => l.level)).to.deep.equal(['warn']);
        expect(lines[0]?.meta).to.include({ range: '30000-32767' });
      } finally {
        undo?.();
      }
      expect(readFileSync(file, 'utf8')).to.equal('22\n');
    });
  });
});

/** Read-only even for root: chmod for other users, the immutable attribute for root. */
function makeUnwritable(path: string): (() => void) | undefined {
  if (process.getuid?.() !== 0) {
    chmodSync(path, 0o444);
    return () => chmodSync(path, 0o644);
  }
  try {
    execFileSync('chattr', ['+i', path], { stdio: 'ignore', timeout: 5000 });
  } catch {
    console.warn('skipping: running as root and chattr +i is not supported here');
    return undefined;
  }
  return () => execFileSync('chattr', ['-i', path], { stdio: 'ignore', timeout: 5000 });
}
