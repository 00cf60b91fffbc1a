import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/**
 * One full, compacting garbage collection now. A full sync at 10k services leaves ~50 MB of garbage
 * (the ruleset text, the plans) that V8's own memory reducer returns only gradually over the next
 * minutes; the daemon then idles on a heap twice its live size. Costs ~50–100 ms of main thread, so it
 * runs after rare, large syncs only (the first one, a replace after a failure or repair).
 */
export function compactHeap(): void {
  try {
    if (!collect) {
      // The documented way to reach gc() without starting node with --expose-gc.
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    }
    collect();
  } catch {
    // Only an optimisation: a node that refuses the flag keeps its memory, never the daemon down.
  }
}
