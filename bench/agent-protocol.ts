// Requests and replies between the bench and bench/ns-agent.ts (one JSON object per line each way).

/** What a poll waits for: the exit status, and optionally text in stdout. */
export interface Expect {
  exitZero: boolean;
  stdoutIncludes?: string;
}

export type AgentRequest =
  | { id: number; op: 'poll'; argv: string[]; expect: Expect; intervalMs: number; timeoutMs: number }
  | { id: number; op: 'run'; argv: string[]; timeoutMs: number }
  | { id: number; op: 'fetch'; url: string; timeoutMs: number };

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall-clock ms (wallMs) when the command was spawned and when it exited. */
  startedAt: number;
  endedAt: number;
}

export interface PollResult {
  /** The expectation held. */
  met: boolean;
  /** End of the first poll that saw it (wallMs); the change happened after the end of the poll before. */
  seenAt?: number;
  /** End of the last poll that did not see it (wallMs); undefined when the first poll saw it. */
  notSeenAt?: number;
  polls: number;
  /** Mean duration of one poll (spawn to exit), ms: the resolution of seenAt. */
  meanPollMs: number;
  last?: CommandResult;
}

export type AgentReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
