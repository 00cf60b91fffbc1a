import { expect } from 'chai';
import { createLogger, isLogLevel, silentLogger } from '../../src/daemon/logger.js';

function memory(): { destination: { write(line: string): void }; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  return { destination: { write: (line: string) => void raw.push(line) }, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('daemon/logger', function () {
  it('writes one JSON line: fixed message, metadata fields, level label, ISO time', function () {
    const out = memory();
    const log = createLogger({ level: 'info', destination: out.destination, base: { node: 'node-a' } });
    log.warn({ service: 'default/web', nodePort: 99999 }, 'nodePort out of range');
    const [line] = out.lines();
    expect(line).to.include({ level: 'warn', msg: 'nodePort out of range', service: 'default/web', nodePort: 99999, node: 'node-a', component: 'proxyctl' });
    expect(new Date(String(line?.time)).toISOString()).to.equal(line?.time);
  });

  it('drops lines below the level', function () {
    const out = memory();
    const log = createLogger({ level: 'warn', destination: out.destination });
    log.info({}, 'hidden');
    log.debug({}, 'hidden');
    log.error({ code: 'EADDRINUSE' }, 'shown');
    expect(out.lines().map((l) => l.msg)).to.deep.equal(['shown']);
  });

  it('serialises errors under err with message and stack', function () {
    const out = memory();
    createLogger({ destination: out.destination }).error({ err: new Error('boom') }, 'sync failed');
    const err = out.lines()[0]?.err as Record<string, unknown>;
    expect(err.message).to.equal('boom');
    expect(err.stack).to.be.a('string');
  });

  it('knows its levels', function () {
    expect(isLogLevel('debug')).to.equal(true);
    expect(isLogLevel('verbose')).to.equal(false);
  });

  it('silentLogger accepts calls and writes nothing', function () {
    const log = silentLogger();
    log.error({ a: 1 }, 'nothing');
  });
});
