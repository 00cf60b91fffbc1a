// Probe client for the policy lab: one process tries many targets at once (one process per source
// namespace keeps a busy machine from spending its time starting node). Prints one JSON line per
// target, in input order: {"kind":"reply"|"refused"|"timeout"|"unreachable"|"error",...}.
// Usage: node --import tsx test/policy-render/multi-probe.ts '[{"proto":"tcp","host":"10.0.0.1","port":80,"timeoutMs":1000}]'
import dgram from 'node:dgram';
import net from 'node:net';
import type { ProbeOutcome } from '../kernel/probe.js';

export interface Target {
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

function once(t: Target): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    let done = false;
    let cleanup = () => {};
    const finish = (o: ProbeOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      cleanup();
      resolve(o);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), t.timeoutMs);
    if (t.proto === 'tcp') {
      let text = '';
      const socket = net.connect({ host: t.host, port: t.port });
      cleanup = () => socket.destroy();
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => finish({ kind: 'reply', text: text.trim() }));
      socket.on('error', (e) => finish(text ? { kind: 'reply', text: text.trim() } : classify(e)));
      return;
    }
    const socket = dgram.createSocket(net.isIPv6(t.host) ? 'udp6' : 'udp4');
    cleanup = () => socket.close();
    socket.on('message', (m) => finish({ kind: 'reply', text: m.toString().trim() }));
    socket.on('error', (e) => finish(classify(e)));
    socket.connect(t.port, t.host, (e?: Error) => (e ? finish(classify(e)) : socket.send('ping')));
  });
}

const targets = JSON.parse(process.argv[2] ?? '[]') as Target[];
const outcomes = await Promise.all(targets.slice(0, 100).map(once));
process.stdout.write(outcomes.map((o) => JSON.stringify(o)).join('\n') + '\n');
