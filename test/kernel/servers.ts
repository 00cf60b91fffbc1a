// Host-side helper that starts echo-server.ts inside a namespace.
import { startInNamespace, type BackgroundProcess } from './background.js';
import type { Lab } from './netns.js';

export interface EchoServerOptions {
  name: string;
  port: number;
  proto: 'tcp' | 'udp';
  host?: string;
}

export async function startEchoServer(lab: Lab, ns: string, options: EchoServerOptions): Promise<BackgroundProcess> {
  const args = ['--import', 'tsx', 'test/kernel/echo-server.ts', '--name', options.name];
  args.push('--port', String(options.port), '--proto', options.proto, '--host', options.host ?? '::');
  return startInNamespace(lab, ns, process.execPath, args, /^listening /m);
}
