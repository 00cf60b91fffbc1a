import type { NodeContext } from '../model/types.js';
import type { ChangeSource, ProxyEngine, SyncOutcome } from './engine.js';

export interface LoopHooks {
  /** Node facts for the current store (flags + our Node object); throws when they are unusable. */
  context(): NodeContext;
  onSynced?(outcome: SyncOutcome, seconds: number, triggerTimes: Map<string, number>, dirty: Set<string>): void;
  onFailed?(err: unknown, attempt: number): void;
  onRepair?(): void;
}

export interface LoopTiming {
  /** Wait after the first event of a burst so the burst lands in one transaction. */
  coalesceMs: number;
  /** Minimum time between the end of one sync and the start of the next. */
  minSyncPeriodMs: number;
  /** Full resync cadence. */
  syncPeriodMs: number;
  /** How often the repair check reads our dispatch chain. */
  verifyPeriodMs: number;
  /** Retry backoff after a failure: doubles from min to max. */
  backoffMinMs: number;
  backoffMaxMs: number;
}

/**
 * Owns the cadence: coalesces events, runs one sync at a time, resyncs periodically, retries failures
 * with backoff (as full syncs) and repairs tampered rules found by the verify check.
 */
export class SyncLoop<S extends ChangeSource> {
  private timer: NodeJS.Timeout | undefined;
  private periodic: NodeJS.Timeout | undefined;
  private verifier: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** A sync was asked for while one ran: start another as soon as it ends (never two at once). */
  private rerun = false;
  private fullDue = true;
  private failures = 0;
  private lastEnd = 0;
  private stopped = false;
  /** Events before start() only fill the store: syncing a half-listed store would wipe working rules. */
  private started = false;
  /** Resolves after the first successful sync. */
  readonly firstSync: Promise<void>;
  private resolveFirst!: () => void;

  constructor(private readonly store: S, private readonly engine: ProxyEngine<S>, private readonly timing: LoopTiming, private readonly hooks: LoopHooks) {
    this.firstSync = new Promise((r) => (this.resolveFirst = r));
  }

  start(): void {
    this.started = true;
    this.schedule(0);
    this.periodic = setInterval(() => {
      this.fullDue = true;
      this.schedule(0);
    }, this.timing.syncPeriodMs);
    this.verifier = setInterval(() => void this.verify(), this.timing.verifyPeriodMs);
  }

  /** A watch event changed the store. */
  notify(): void {
    if (this.started && !this.timer && !this.running) this.schedule(this.timing.coalesceMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.periodic);
    clearInterval(this.verifier);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.timer) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    const earliest = this.lastEnd + this.timing.minSyncPeriodMs - Date.now();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.runOnce().finally(() => {
        this.running = undefined;
        const again = this.rerun || this.store.hasDirty() || this.fullDue;
        this.rerun = false;
        if (again) this.schedule(this.failures ? this.backoff() : this.timing.coalesceMs);
      });
    }, Math.max(delayMs, earliest, 0));
  }

  private backoff(): number {
    return Math.min(this.timing.backoffMaxMs, this.timing.backoffMinMs * 2 ** Math.max(0, this.failures - 1));
  }

  private async runOnce(): Promise<void> {
    const batch = this.store.takeDirty();
    const full = this.fullDue || batch.nodeChanged;
    const started = performance.now();
    try {
      const outcome = await this.engine.sync(this.store, this.hooks.context(), batch.services, full);
      if (full) this.fullDue = false;
      this.failures = 0;
      this.hooks.onSynced?.(outcome, (performance.now() - started) / 1000, batch.triggerTimes, batch.services);
      this.resolveFirst();
    } catch (err) {
      this.failures++;
      this.fullDue = true; // after a failure the kernel state is unknown: rewrite everything
      this.engine.distrust();
      this.hooks.onFailed?.(err, this.failures);
    } finally {
      this.lastEnd = Date.now();
    }
  }

  private async verify(): Promise<void> {
    if (this.running || this.stopped) return;
    try {
      if (await this.engine.verify()) return;
    } catch {
      // a failing check counts as tampering: rewrite
    }
    this.hooks.onRepair?.();
    this.engine.distrust();
    this.fullDue = true;
    this.schedule(0);
  }
}
