// Continuous probe client for the e2e tests, run inside a namespace: one attempt (a TCP
// connection, or a UDP datagram and its answer) every --interval-ms until SIGTERM, --duration-ms
// or --max-count. Prints "started" first, then one JSON line per attempt:
//   {"t": <epoch ms at the attempt's start>, "ms": <latency>, "kind": "reply"|"refused"|"timeout"|..., "text"?: "..."}
// UDP with --reuse-socket keeps one connected socket (fixed source port, --source-port to pick it),
// so every datagram belongs to the same conntrack flow; otherwise every attempt uses a new socket.
// Usage: node --import tsx stream-client.ts --proto tcp|udp --host H --port P [--interval-ms 25]
//          [--timeout-ms 1000] [--duration-ms 30000] [--max-count 2000] [--reuse-socket] [--source-port SP]
import dgram from 'node:dgram';
import net from 'node:net';
import { parseArgs } from 'node:util';

interface Outcome {
  kind: string;
  text?: string;
  code?: string;
}

const { values } = parseArgs({
  options: {
    proto: { type: 'string', default: 'tcp' },
    host: { type: 'string' },
    port: { type: 'string' },
    'interval-ms': { type: 'string', default: '25' },
    'timeout-ms': { type: 'string', default: '1000' },
    'duration-ms': { type: 'string', default: '30000' },
    'max-count': { type: 'string', default: '2000' },
    'reuse-socket': { type: 'boolean', default: false },
    'source-port': { type: 'string' },
  },
});

const host = values.host ?? '';
const port = Number(values.port);
const intervalMs = Number(values['interval-ms']);
const timeoutMs = Number(values['timeout-ms']);
const durationMs = Math.min(Number(values['duration-ms']), 120_000);
const maxCount = Math.min(Number(values['max-count']), 10_000);
const sourcePort = values['source-port'] ? Number(values['source-port']) : 0;

function classify(error: NodeJS.ErrnoException): Outcome {
  const code = error.code ?? 'UNKNOWN';
  if (code === 'ECONNREFUSED') return { kind: 'refused' };
  if (['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN'].includes(code)) return { kind: 'unreachable', code };
  return { kind: 'error', code };
}

function tcpAttempt(): Promise<Outcome> {
  return new Promise((resolve) => {
    let text = '';
    let done = false;
    const socket = net.connect({ host, port });
    const finish = (outcome: Outcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('end', () => finish({ kind: 'reply', text: text.trim() }));
    socket.on('error', (error) => finish(text ? { kind: 'reply', text: text.trim() } : classify(error)));
  });
}

/** A connected UDP socket; `exchange` sends one datagram and waits for one answer (or an error). */
async function udpSocket(): Promise<{ exchange(): Promise<Outcome>; close(): void }> {
  const socket = dgram.createSocket('udp4');
  let waiting: ((outcome: Outcome) => void) | undefined;
  socket.on('message', (message) => waiting?.({ kind: 'reply', text: message.toString().trim() }));
  socket.on('error', (error) => waiting?.(classify(error)));
  await new Promise<void>((resolve) => socket.bind(sourcePort, resolve));
  await new Promise<void>((resolve, reject) => socket.connect(port, host, (error?: Error) => (error ? reject(error) : resolve())));
  return {
    exchange: () => new Promise((resolve) => {
      const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
      const finish = (outcome: Outcome): void => {
        clearTimeout(timer);
        waiting = undefined;
        resolve(outcome);
      };
      waiting = finish;
      socket.send('ping');
    }),
    close: () => socket.close(),
  };
}

async function udpFreshAttempt(): Promise<Outcome> {
  try {
    const s = await udpSocket();
    const outcome = await s.exchange();
    s.close();
    return outcome;
  } catch (error) {
    return classify(error as NodeJS.ErrnoException);
  }
}

let stopping = false;
process.on('SIGTERM', () => (stopping = true));

async function main(): Promise<void> {
  const shared = values.proto === 'udp' && values['reuse-socket'] ? await udpSocket() : undefined;
  const attempt = values.proto === 'udp' ? (shared ? () => shared.exchange() : udpFreshAttempt) : tcpAttempt;
  process.stdout.write('started\n');
  const end = Date.now() + durationMs;
  for (let i = 0; i < maxCount && !stopping && Date.now() < end; i += 1) {
    const t = Date.now();
    const outcome = await attempt();
    process.stdout.write(`${JSON.stringify({ t, ms: Date.now() - t, ...outcome })}\n`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  shared?.close();
  process.exit(0);
}

await main();
