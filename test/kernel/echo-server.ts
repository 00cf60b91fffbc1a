// Echo server for kernel tests: answers "NAME <remote address>\n" so a test sees which
// endpoint answered and which source address that endpoint saw.
// Usage: node --import tsx test/kernel/echo-server.ts --name NAME --port P --proto tcp|udp [--host ::]
import dgram from 'node:dgram';
import net from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    port: { type: 'string' },
    proto: { type: 'string', default: 'tcp' },
    host: { type: 'string', default: '::' },
  },
});

const name = values.name ?? 'echo';
const port = Number(values.port);
const host = values.host ?? '::';
if (!Number.isInteger(port) || port <= 0) throw new Error(`bad --port ${values.port}`);

/** A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d. */
function plainAddress(address: string | undefined): string {
  return (address ?? '?').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

function serveTcp(): void {
  const server = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.end(`${name} ${plainAddress(socket.remoteAddress)}\n`);
  });
  server.listen({ host, port, ipv6Only: false }, () => console.log(`listening tcp ${host} ${port}`));
}

function serveUdp(): void {
  const socket = dgram.createSocket({ type: net.isIPv4(host) ? 'udp4' : 'udp6', ipv6Only: false });
  socket.on('message', (_message, peer) => {
    socket.send(`${name} ${plainAddress(peer.address)}\n`, peer.port, peer.address);
  });
  // Replies to vanished peers raise ICMP errors here; they must not stop the server.
  socket.on('error', (error) => console.error(`udp error: ${error.message}`));
  socket.bind(port, host, () => console.log(`listening udp ${host} ${port}`));
}

if (values.proto === 'udp') serveUdp();
else if (values.proto === 'tcp') serveTcp();
else throw new Error(`bad --proto ${values.proto}`);

process.on('SIGTERM', () => process.exit(0));
