// One process per pod namespace: echo servers (TCP and UDP on --ports, answering "NAME <peer>")
// and a probe client driven by JSON lines on stdin, so a 9x9 matrix costs no process start-ups.
// Usage: node --import tsx test/e2e/policy/pod-agent.ts --name x/a [--ports 80,81] [--first-port 20000]
//   stdin:  {"id":1,"proto":"tcp"|"udp","host":"10.244.0.11","port":80,"timeoutMs":1500}
//   stdout: "ready" once every server listens, then {"id":1,"outcome":{"kind":"reply","text":"x/a 10.244.1.12"}}
import dgram from 'node:dgram';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { ProbeOutcome } from '../../kernel/probe.js';

const { values } = parseArgs({ options: { name: { type: 'string' }, ports: { type: 'string', default: '' }, 'first-port': { type: 'string', default: '20000' } } });
const name = values.name ?? 'agent';
const ports = (values.ports ?? '').split(',').filter(Boolean).map(Number);

// Every probe gets a source port never used before in this run: a new conntrack tuple each time, so
// an entry left by an allowed exchange of an earlier scenario can never let a later probe through.
const FIRST = Number(values['first-port']);
const LAST = 60_000;
let nextPort = FIRST;
function sourcePort(): number {
  const port = nextPort;
  nextPort = nextPort >= LAST ? FIRST : nextPort + 1;
  return port;
}

interface Request {
  id: number;
  proto: 'tcp' | 'udp';
  host: string;
  port: number;
  timeoutMs: number;
}

function classify(error: NodeJS.ErrnoException): ProbeOutcome {
  const code = error.code ?? 'UNKNOWN';
  if (code === 'ECONNREFUSED') return { kind: 'refused' };
  if (['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN'].includes(code)) return { kind: 'unreachable', code };
  return { kind: 'error', code, message: error.message };
}

function probe(r: Request): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    let done = false;
    let cleanup = (): void => {};
    const finish = (o: ProbeOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      cleanup();
      resolve(o);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), r.timeoutMs);
    const localPort = sourcePort();
    if (r.proto === 'tcp') {
      let text = '';
      const socket = net.connect({ host: r.host, port: r.port, localPort });
      cleanup = () => socket.destroy();
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => finish({ kind: 'reply', text: text.trim() }));
      socket.on('error', (e) => finish(text ? { kind: 'reply', text: text.trim() } : classify(e)));
      return;
    }
    const socket = dgram.createSocket('udp4');
    cleanup = () => socket.close();
    socket.on('message', (m) => finish({ kind: 'reply', text: m.toString().trim() }));
    socket.on('error', (e) => finish(classify(e)));
    socket.bind(localPort, () => socket.connect(r.port, r.host, (e?: Error) => (e ? finish(classify(e)) : socket.send('ping'))));
  });
}

const plain = (address: string | undefined): string => (address ?? '?').replace(/^::ffff:/, '');

async function serve(): Promise<void> {
  const listening: Promise<void>[] = [];
  for (const port of ports) {
    const server = net.createServer((socket) => {
      socket.on('error', () => socket.destroy());
      socket.end(`${name} ${plain(socket.remoteAddress)}\n`);
    });
    listening.push(new Promise((resolve) => server.listen({ host: '0.0.0.0', port }, resolve)));
    const udp = dgram.createSocket('udp4');
    udp.on('message', (_m, peer) => udp.send(`${name} ${plain(peer.address)}\n`, peer.port, peer.address));
    udp.on('error', () => {});
    listening.push(new Promise((resolve) => udp.bind(port, '0.0.0.0', resolve)));
  }
  await Promise.all(listening);
}

await serve();
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const request = JSON.parse(line) as Request;
  void probe(request).then((outcome) => process.stdout.write(`${JSON.stringify({ id: request.id, outcome })}\n`));
});
// The parent closing stdin (or going away) ends the agent.
lines.on('close', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
