// limit/continue pagination over snapshots, so every page of one list comes from the same
// resourceVersion (as with the real server, whose continue tokens pin an etcd revision).

import type { KubeObject } from './store.js';

export interface Page {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remaining?: number;
}

interface Snapshot {
  items: KubeObject[];
  resourceVersion: string;
}

interface Token {
  id: number;
  offset: number;
}

const MAX_SNAPSHOTS = 32;

export class Pager {
  private nextId = 1;
  private readonly snapshots = new Map<number, Snapshot>();

  /**
   * One page: the first when `token` is '' (listing `load()` at `resourceVersion`), a later one
   * otherwise. `limit` 0 means everything. Undefined when the token no longer resolves (410).
   */
  page(token: string, limit: number, resourceVersion: string, load: () => KubeObject[]): Page | undefined {
    if (token === '') {
      const items = load();
      if (limit === 0 || items.length <= limit) return { items, resourceVersion };
      const id = this.nextId++;
      this.snapshots.set(id, { items, resourceVersion });
      if (this.snapshots.size > MAX_SNAPSHOTS) this.snapshots.delete(this.snapshots.keys().next().value as number);
      return this.slice(id, 0, limit);
    }
    const parsed = decode(token);
    if (parsed === undefined || !this.snapshots.has(parsed.id)) return undefined;
    return this.slice(parsed.id, parsed.offset, limit);
  }

  /** Invalidates every outstanding continue token (used when history is expired). */
  clear(): void {
    this.snapshots.clear();
  }

  private slice(id: number, offset: number, limit: number): Page {
    const snapshot = this.snapshots.get(id) as Snapshot;
    const end = limit === 0 ? snapshot.items.length : offset + limit;
    const items = snapshot.items.slice(offset, end);
    if (end >= snapshot.items.length) {
      this.snapshots.delete(id);
      return { items, resourceVersion: snapshot.resourceVersion };
    }
    const next = Buffer.from(JSON.stringify({ id, offset: end } satisfies Token)).toString('base64url');
    return { items, resourceVersion: snapshot.resourceVersion, continue: next, remaining: snapshot.items.length - end };
  }
}

function decode(token: string): Token | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Token;
    return Number.isSafeInteger(value.id) && Number.isSafeInteger(value.offset) ? value : undefined;
  } catch {
    return undefined;
  }
}
