import { expect } from 'chai';
import { createSocket } from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';
import { createMetrics } from '../../src/daemon/metrics.js';
import { NodePortHolders } from '../../src/daemon/nodeport-holders.js';
import { freePorts, ipv6LoopbackAvailable, occupyTcp, recordingLog, tryBind, waitFor } from './helpers.js';
import { onPath, run } from './kernel.js';

const HOST = '127.0.0.1';

/** Connects, half-closes (FIN), and waits until the socket is gone; bounded. */
function connectAndEnd(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('timeout');
    }, 5000);
    let outcome = 'closed';
    socket.on('connect', () => socket.end());
    socket.on('error', (error: NodeJS.ErrnoException) => void (outcome = error.code ?? 'error'));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(outcome);
    });
  });
}

/** Sockets on the port (either end) in the given ss state filter, e.g. "close-wait". */
async function socketsInState(port: number, state: string): Promise<string[]> {
  const { stdout } = await run('ss', ['-tanH', 'state', state, `( sport = :${port} or dport = :${port} )`]);
  return stdout.split('\n').filter((line) => line.trim());
}

async function hammer(port: number, times: number): Promise<string[]> {
  const outcomes: string[] = [];
  for (let batch = 0; batch < times; batch += 10) {
    outcomes.push(...(await Promise.all(Array.from({ length: Math.min(10, times - batch) }, () => connectAndEnd(port)))));
  }
  return outcomes;
}

describe('daemon/nodeport-holders', function () {
  let holders: NodePortHolders;
  let log: ReturnType<typeof recordingLog>;
  let created: ReturnType<typeof createMetrics>;
  let ports: number[];

  beforeEach(async function () {
    log = recordingLog();
    created = createMetrics();
    holders = new NodePortHolders({ log: log.log, metrics: created.metrics, addresses: [HOST] });
    ports = await freePorts(3);
  });
  afterEach(async function () {
    await holders.close();
  });

  it('holds TCP and UDP ports so nobody else can bind them', async function () {
    const [a, b] = ports as [number, number];
    await holders.sync([{ protocol: 'TCP', port: a }, { protocol: 'UDP', port: b }]);
    expect(holders.held()).to.deep.equal([{ protocol: 'TCP', port: a, address: HOST }, { protocol: 'UDP', port: b, address: HOST }]);
    expect(await tryBind('TCP', HOST, a)).to.equal('EADDRINUSE');
    expect(await tryBind('UDP', HOST, b)).to.equal('EADDRINUSE');
    expect(await tryBind('UDP', HOST, a)).to.equal('free'); // only the protocol asked for
  });

  describe('connections to a held TCP port (needs ss)', function () {
    before(function () {
      if (!onPath('ss')) this.skip();
    });

    it('resets 50 connections at once: none stays in CLOSE_WAIT or ESTABLISHED', async function () {
      const [a] = ports as [number];
      await holders.sync([{ protocol: 'TCP', port: a }]);
      const outcomes = await hammer(a, 50);
      expect(outcomes.filter((o) => o === 'timeout'), 'connections left hanging').to.deep.equal([]);
      expect(outcomes.filter((o) => o !== 'ECONNRESET' && o !== 'closed' && o !== 'EPIPE')).to.deep.equal([]);
      expect(outcomes, 'the holder resets connections').to.include('ECONNRESET');
      expect(await socketsInState(a, 'close-wait')).to.deep.equal([]);
      expect(await socketsInState(a, 'established')).to.deep.equal([]);
      expect(await tryBind('TCP', HOST, a)).to.equal('EADDRINUSE'); // still held afterwards
    });

    it('(control) the same check does see CLOSE_WAIT from a listener that never closes', async function () {
      const [a] = ports as [number];
      const kept: unknown[] = [];
      const naive: Server = createServer({ pauseOnConnect: true }, (socket) => void kept.push(socket));
      await new Promise<void>((resolve) => naive.listen({ host: HOST, port: a }, resolve));
      try {
        const client = connect({ host: HOST, port: a });
        client.on('connect', () => client.end());
        await waitFor(async () => (await socketsInState(a, 'close-wait')).length === 1, 'a CLOSE_WAIT socket');
        client.destroy();
      } finally {
        naive.close();
        for (const socket of kept) (socket as { destroy(): void }).destroy();
      }
    });
  });

  it('reads and drops UDP datagrams: no reply, no ICMP error, nothing queued', async function () {
    const [a] = ports as [number];
    await holders.sync([{ protocol: 'UDP', port: a }]);
    const client = createSocket('udp4');
    const received: Buffer[] = [];
    const errors: string[] = [];
    client.on('message', (m) => void received.push(m));
    client.on('error', (e: NodeJS.ErrnoException) => void errors.push(e.code ?? 'error'));
    await new Promise<void>((resolve) => client.connect(a, HOST, resolve));
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => client.send(Buffer.from(`ping ${i}`), (error) => resolve(void (error && errors.push((error as NodeJS.ErrnoException).code ?? 'error')))));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    client.close();
    expect(received).to.deep.equal([]);
    expect(errors, 'ECONNREFUSED would mean an ICMP port unreachable').to.deep.equal([]);
    if (onPath('ss')) {
      const { stdout } = await run('ss', ['-uanH', `( sport = :${a} )`]);
      const recvQ = stdout.trim().split(/\s+/)[1];
      expect(recvQ, stdout).to.equal('0');
    }
  });

  it('a port another process holds is logged and counted once; the other ports still open', async function () {
    const [a, b, c] = ports as [number, number, number];
    const release = await occupyTcp(HOST, b);
    try {
      const desired = [{ protocol: 'TCP' as const, port: a }, { protocol: 'TCP' as const, port: b }, { protocol: 'UDP' as const, port: c }];
      await holders.sync(desired);
      await holders.sync(desired);
      expect(holders.held().map((h) => `${h.protocol}/${h.port}`)).to.have.members([`TCP/${a}`, `UDP/${c}`]);
      const warnings = log.lines.filter((l) => l.level === 'warn');
      expect(warnings).to.have.length(1);
      expect(warnings[0]?.meta).to.deep.include({ protocol: 'TCP', port: b, address: HOST, code: 'EADDRINUSE' });
      expect(await created.registry.metrics()).to.include('proxyctl_nodeport_bind_failures_total 1');
    } finally {
      await release();
    }
    await holders.sync([{ protocol: 'TCP', port: b }]);
    expect(holders.held()).to.deep.equal([{ protocol: 'TCP', port: b, address: HOST }]);
  });

  it('syncs incrementally: keeps what stays, releases what goes, opens what is new', async function () {
    const [a, b, c] = ports as [number, number, number];
    await holders.sync([{ protocol: 'TCP', port: a }, { protocol: 'TCP', port: b }]);
    const opened = (): number => log.lines.filter((l) => l.msg === 'holding nodePort').length;
    expect(opened()).to.equal(2);
    await holders.sync([{ protocol: 'TCP', port: b }, { protocol: 'TCP', port: c }, { protocol: 'TCP', port: c }]);
    expect(opened()).to.equal(3); // only c is new
    expect(holders.held().map((h) => h.port)).to.deep.equal([b, c].sort((x, y) => x - y));
    expect(await tryBind('TCP', HOST, a)).to.equal('free');
    expect(await tryBind('TCP', HOST, c)).to.equal('EADDRINUSE');
  });

  it('skips SCTP with one debug line per port', async function () {
    const [a, b] = ports as [number, number];
    await holders.sync([{ protocol: 'SCTP', port: a }, { protocol: 'TCP', port: b }]);
    await holders.sync([{ protocol: 'SCTP', port: a }, { protocol: 'TCP', port: b }]);
    expect(holders.held()).to.deep.equal([{ protocol: 'TCP', port: b, address: HOST }]);
    const sctp = log.lines.filter((l) => l.meta.protocol === 'SCTP');
    expect(sctp.map((l) => [l.level, l.meta.port])).to.deep.equal([['debug', a]]);
  });

  it('holds on each configured address', async function () {
    if (!(await ipv6LoopbackAvailable())) this.skip();
    const [a] = ports as [number];
    const both = new NodePortHolders({ log: log.log, addresses: ['127.0.0.1', '::1'] });
    try {
      await both.sync([{ protocol: 'UDP', port: a }]);
      expect(both.held().map((h) => h.address)).to.deep.equal(['127.0.0.1', '::1']);
      expect(await tryBind('UDP', '::1', a)).to.equal('EADDRINUSE');
    } finally {
      await both.close();
    }
  });

  it('close() releases everything', async function () {
    const [a, b] = ports as [number, number];
    await holders.sync([{ protocol: 'TCP', port: a }, { protocol: 'UDP', port: b }]);
    await holders.close();
    expect(await tryBind('TCP', HOST, a)).to.equal('free');
    expect(await tryBind('UDP', HOST, b)).to.equal('free');
    await holders.sync([{ protocol: 'TCP', port: a }]);
    expect(holders.held()).to.deep.equal([]);
  });
});
