// kube-proxy's /healthz and /livez semantics, with an injected clock.

/** Milliseconds since the epoch, like Date.now. */
export type Clock = () => number;

export interface HealthOptions {
  /** kube-proxy's healthTimeout: how long a queued change or a failing sync may last. */
  unhealthyAfterSeconds: number;
  clock?: Clock;
}

export interface HealthResponse {
  status: 200 | 503;
  body: string;
}

/** Go's zero time, which kube-proxy reports before the first sync. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

export class HealthState {
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  private lastSuccessfulSync: number | undefined;
  private oldestQueued: number | undefined;
  private failingSince: number | undefined;
  private nodeEligible = true;

  constructor(options: HealthOptions) {
    if (!(options.unhealthyAfterSeconds > 0)) throw new Error(`unhealthyAfterSeconds must be > 0, got ${options.unhealthyAfterSeconds}`);
    this.timeoutMs = options.unhealthyAfterSeconds * 1000;
    this.clock = options.clock ?? Date.now;
  }

  /** A change arrived that the rules do not reflect yet; keeps the oldest such time. */
  queued(): void {
    this.oldestQueued ??= this.clock();
  }

  /** Rules now reflect every change queued so far. */
  syncSucceeded(): void {
    this.lastSuccessfulSync = this.clock();
    this.oldestQueued = undefined;
    this.failingSince = undefined;
  }

  /** A sync failed; queued changes stay queued. */
  syncFailed(): void {
    this.failingSince ??= this.clock();
  }

  /** False while the node is being deleted (deletionTimestamp or ToBeDeletedByClusterAutoscaler taint). */
  setNodeEligible(eligible: boolean): void {
    this.nodeEligible = eligible;
  }

  /** Proxy health alone (what /livez and the healthCheckNodePorts report). */
  isHealthy(): boolean {
    if (this.lastSuccessfulSync === undefined) return false;
    const now = this.clock();
    if (this.oldestQueued !== undefined && now - this.oldestQueued >= this.timeoutMs) return false;
    if (this.failingSince !== undefined && now - this.failingSince >= this.timeoutMs) return false;
    return true;
  }

  /** /healthz: proxy health and node eligibility. */
  healthz(): HealthResponse {
    const healthy = this.isHealthy() && this.nodeEligible;
    return { status: healthy ? 200 : 503, body: this.render(healthy, { nodeEligible: this.nodeEligible }) };
  }

  /** /livez: proxy health only. */
  livez(): HealthResponse {
    const healthy = this.isHealthy();
    return { status: healthy ? 200 : 503, body: this.render(healthy, {}) };
  }

  // Like kube-proxy, a healthy answer reports lastUpdated = now.
  private render(healthy: boolean, extra: object): string {
    const now = new Date(this.clock()).toISOString();
    const last = this.lastSuccessfulSync === undefined ? ZERO_TIME : new Date(this.lastSuccessfulSync).toISOString();
    return JSON.stringify({ lastUpdated: healthy ? now : last, currentTime: now, ...extra });
  }
}
