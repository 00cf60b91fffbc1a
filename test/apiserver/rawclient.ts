// A bare HTTP client for protocol tests: plain fetch, no client-node in between.

export interface WatchEvent {
  type: string;
  object: { kind?: string; code?: number; reason?: string; metadata?: { name?: string; resourceVersion?: string } };
}

export interface WatchResult {
  status: number;
  events: WatchEvent[];
  /** True when the server ended the stream; false when we stopped reading first. */
  ended: boolean;
}

export async function getJson(url: string, token: string | undefined, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.json() };
}

/** Reads watch events until `enough(events)` holds, the server ends the stream, or `timeoutMs` passes. */
export async function readWatch(
  url: string,
  token: string,
  enough: (events: WatchEvent[]) => boolean,
  timeoutMs = 3000,
): Promise<WatchResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: WatchEvent[] = [];
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  let ended = false;
  let stoppedEarly = false;
  try {
    if (res.body === null) throw new Error('no body');
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of res.body) {
      buffered += decoder.decode(chunk, { stream: true });
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line !== '') events.push(JSON.parse(line) as WatchEvent);
      if (enough(events)) {
        stoppedEarly = true;
        break;
      }
    }
    ended = !stoppedEarly;
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { status: res.status, events, ended };
}
