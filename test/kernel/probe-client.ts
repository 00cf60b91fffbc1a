// Probe client for kernel tests: makes --count sequential TCP connections or UDP exchanges
// and prints one JSON line per attempt: {"kind":"reply"|"refused"|"timeout"|"unreachable"|"error",...}.
// Usage: node --import tsx test/kernel/probe-client.ts --proto tcp|udp --host H --port P
//          [--timeout-ms MS] [--count N] [--source-port SP] [--stop-on-failure]
import dgram from 'node:dgram';
import net from 'node:net';
import { parseArgs } from 'node:util';
import type { ProbeOutcome } from './probe.js';

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

function classify(error: NodeJS.ErrnoException): ProbeOutcome {
  const code = error.code ?? 'UNKNOWN';
  if (code === 'ECONNREFUSED') return { kind: 'refused' };
  if (UNREACHABLE.has(code)) return { kind: 'unreachable', code };
  return { kind: 'error', code, message: error.message };
}

function probeTcp(host: string, port: number, timeoutMs: number, localPort?: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    let text = '';
    const socket = net.connect({ host, port, localPort });
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    let done = false;
    function finish(outcome: ProbeOutcome): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    }
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('end', () => finish({ kind: 'reply', text: text.trim() }));
    socket.on('error', (error) => finish(text ? { kind: 'reply', text: text.trim() } : classify(error)));
  });
}

function probeUdp(host: string, port: number, timeoutMs: number, localPort?: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    let done = false;
    function finish(outcome: ProbeOutcome): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve(outcome);
    }
    socket.on('message', (message) => finish({ kind: 'reply', text: message.toString().trim() }));
    // On a connected UDP socket an ICMP port unreachable surfaces as ECONNREFUSED.
    socket.on('error', (error) => finish(classify(error)));
    socket.bind(localPort ?? 0, () => {
      // connect() reports routing errors (no route) through its callback.
      socket.connect(port, host, (error?: Error) => (error ? finish(classify(error)) : socket.send('ping')));
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      proto: { type: 'string', default: 'tcp' },
      host: { type: 'string' },
      port: { type: 'string' },
      'timeout-ms': { type: 'string', default: '2000' },
      count: { type: 'string', default: '1' },
      'source-port': { type: 'string' },
      // A broken path would otherwise cost count × timeout before the test can fail.
      'stop-on-failure': { type: 'boolean', default: false },
    },
  });
  const host = values.host ?? '';
  const port = Number(values.port);
  const timeoutMs = Number(values['timeout-ms']);
  const count = Math.min(Number(values.count), 500);
  const sourcePort = values['source-port'] ? Number(values['source-port']) : undefined;
  const probeOnce = values.proto === 'udp' ? probeUdp : probeTcp;
  for (let i = 0; i < count; i += 1) {
    const outcome = await probeOnce(host, port, timeoutMs, sourcePort);
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
    if (values['stop-on-failure'] && outcome.kind !== 'reply') break;
  }
}

await main();
