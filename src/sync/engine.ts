import type { IPFamily } from '../model/ip.js';
import type { NodeContext } from '../model/types.js';
import type { ClusterStore, DirtyBatch } from './store.js';

export type SyncMode = 'replace' | 'refresh' | 'partial';

export interface SyncOutcome {
  mode: SyncMode;
  /** What was handed to the kernel tool ('' when nothing changed). */
  transaction: string;
  elements: number;
  chains: number;
  /** Per family, for the rule-count metrics. */
  counts: { family: IPFamily; chains: number; elements?: number; rules?: number }[];
}

/** What a sync loop reads changes from (the service store, the policy store). */
export interface ChangeSource {
  takeDirty(): DirtyBatch;
  hasDirty(): boolean;
}

/** A backend that keeps the kernel equal to a store: services or policy, nftables or iptables. */
export interface ProxyEngine<S extends ChangeSource = ClusterStore> {
  /** Apply the changes of `dirty` keys, or everything when `full`; throws when the kernel refuses. */
  sync(store: S, ctx: NodeContext, dirty: Set<string>, full: boolean): Promise<SyncOutcome>;
  /** Our rules are still in place as we left them (someone may have flushed them). */
  verify(): Promise<boolean>;
  /** The kernel may differ from memory: the next sync rewrites everything. */
  distrust(): void;
}
