// Child process run inside a benchmark namespace (`ip netns exec NS node --import tsx bench/ns-agent.ts`):
// polls kernel state with direct spawns (no `ip netns exec` per poll) and fetches URLs only
// reachable from inside the namespace. One JSON request per stdin line, one reply per stdout line;
// requests are served one at a time; exits when stdin closes.
import { execFile } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { AgentReply, AgentRequest, CommandResult, Expect, PollResult } from './agent-protocol.js';
import { sleep, wallMs } from './clock.js';

const clip = (s: string) => (s.length > 4000 ? `${s.slice(0, 4000)}…` : s);

function command(argv: string[], timeoutMs: number): Promise<CommandResult> {
  const startedAt = wallMs();
  return new Promise((resolve) => {
    execFile(argv[0], argv.slice(1), { timeout: timeoutMs, maxBuffer: 64 * 2 ** 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr, startedAt, endedAt: wallMs() });
    });
  });
}

const holds = (r: CommandResult, e: Expect) =>
  (r.code === 0) === e.exitZero && (e.stdoutIncludes === undefined || r.stdout.includes(e.stdoutIncludes));

async function poll(argv: string[], expect: Expect, intervalMs: number, timeoutMs: number): Promise<PollResult> {
  const deadline = wallMs() + Math.min(timeoutMs, 120_000);
  let polls = 0;
  let spent = 0;
  let notSeenAt: number | undefined;
  let last: CommandResult | undefined;
  // Bounded by the deadline and by a count (a poll takes at least a millisecond).
  while (polls < 200_000) {
    last = await command(argv, 10_000);
    polls++;
    spent += last.endedAt - last.startedAt;
    if (holds(last, expect)) return { met: true, seenAt: last.endedAt, notSeenAt, polls, meanPollMs: spent / polls };
    notSeenAt = last.endedAt;
    if (last.endedAt > deadline) break;
    await sleep(intervalMs);
  }
  return { met: false, polls, meanPollMs: spent / polls, last: last && { ...last, stdout: clip(last.stdout), stderr: clip(last.stderr) } };
}

async function fetchText(url: string, timeoutMs: number): Promise<string> {
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.text();
}

async function serve(req: AgentRequest): Promise<unknown> {
  switch (req.op) {
    case 'poll':
      return poll(req.argv, req.expect, req.intervalMs, req.timeoutMs);
    case 'run': {
      const r = await command(req.argv, req.timeoutMs);
      return { ...r, stdout: r.stdout, stderr: clip(r.stderr) };
    }
    case 'fetch':
      return fetchText(req.url, req.timeoutMs);
  }
}

async function main(): Promise<void> {
  process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    let id = -1;
    let reply: AgentReply;
    try {
      const req = JSON.parse(line) as AgentRequest;
      id = req.id;
      reply = { id, ok: true, result: await serve(req) };
    } catch (err) {
      reply = { id, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    process.stdout.write(`${JSON.stringify(reply)}\n`);
  }
}

await main();
