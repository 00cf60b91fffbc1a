// Runs a TestApiServer as its own process, driven over stdin/stdout with control.ts commands.
// Usage: node --import tsx test/apiserver/cli.ts [--host H] [--port P] [--kubeconfig PATH]
//        [--history N] [--bookmark-ms MS] [--max-watch-ms MS] [--load FILE.json|yaml]
// Prints a Ready line, then one Reply per Request line; exits when stdin closes.

import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { type Reply, type Request, execute } from './control.js';
import { TestApiServer } from './server.js';
import type { KubeObject } from './store.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      kubeconfig: { type: 'string' },
      history: { type: 'string' },
      'bookmark-ms': { type: 'string' },
      'max-watch-ms': { type: 'string' },
      load: { type: 'string' },
    },
  });
  const number = (text: string | undefined): number | undefined => (text === undefined ? undefined : Number(text));
  const server = await TestApiServer.start({
    host: values.host,
    port: number(values.port),
    historyLimit: number(values.history),
    bookmarkIntervalMs: number(values['bookmark-ms']),
    maxWatchMs: number(values['max-watch-ms']),
  });
  // Load before announcing readiness, so clients never see a half-loaded cluster.
  if (values.load !== undefined) server.load(parseDocument(await readFile(values.load, 'utf8')));
  if (values.kubeconfig !== undefined) await server.writeKubeconfig(values.kubeconfig);
  process.stdout.write(`${JSON.stringify({ url: server.url, token: server.token })}\n`);

  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    process.stdout.write(`${JSON.stringify(await answer(server, line))}\n`);
  }
  await server.stop();
}

/** JSON.parse for JSON (much faster on generated clusters), yaml otherwise. */
function parseDocument(text: string): KubeObject {
  return (text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text)) as KubeObject;
}

async function answer(server: TestApiServer, line: string): Promise<Reply> {
  let id = -1;
  try {
    const request = JSON.parse(line) as Request;
    id = request.id;
    return { id, ok: true, result: await execute(server, request.command) };
  } catch (err) {
    return { id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

await main();
