import type { ElementChange } from '../backends/nftables/element-index.js';
import type { Element } from '../backends/nftables/ruleset.js';

/** One port's endpoint list under one service key of one endpoint map. */
export interface EndpointClaim {
  set: string;
  serviceKey: string;
  /**
   * `addr . port` per index, joined by ','. One flat string per list: an array of 10 strings built by
   * concatenation costs ~110 bytes per endpoint in string objects, this ~20.
   */
  data: string;
}

const SEPARATOR = ',';
export const joinEndpointData = (data: string[]): string => data.join(SEPARATOR);
const split = (data: string): string[] => (data === '' ? [] : data.split(SEPARATOR));
/** Entries in a joined list, without splitting it (a full rebuild counts 10k lists). */
function lengthOf(data: string): number {
  if (data === '') return 0;
  let n = 1;
  for (let i = data.indexOf(SEPARATOR); i >= 0; i = data.indexOf(SEPARATOR, i + 1)) n++;
  return n;
}

/** `service key . index : addr . port`, made when printed or diffed and not kept. */
class EndpointMapElement implements Element {
  constructor(readonly keyText: string, private readonly dataText: string) {}

  get key(): string[] {
    return this.keyText.split(' . ');
  }

  get data(): string[] {
    return this.dataText.split(' . ');
  }

  get text(): string {
    return `${this.keyText} : ${this.dataText}`;
  }
}

/** Owners of one service key, smallest id first; usually one. */
type Owners = [owner: string, data: string][];

/**
 * The endpoint maps as the daemon holds them: per map and service key, each owning port's joined list of
 * `addr . port`. The element `key . i` shows the data of the smallest owner whose list reaches i — what the
 * element index decides per element — but costs ~20 bytes per endpoint instead of an element object, an
 * index entry and a key string (~25 MB less at 10k services × 10 endpoints).
 */
export class EndpointClaims {
  private readonly maps = new Map<string, Map<string, Owners>>();
  /** Elements currently visible, kept up to date so counting never splits every list. */
  private total = 0;

  /** A first claim during a full rebuild: no change records (the table is sent whole). */
  load(owner: string, claims: readonly EndpointClaim[]): void {
    for (const c of claims) this.claim(owner, c, undefined);
  }

  /** Replaces what `owner` claims; returns the element changes the kernel must see. */
  replace(owner: string, before: readonly EndpointClaim[], after: readonly EndpointClaim[]): ElementChange[] {
    const changes: ElementChange[] = [];
    const kept = new Set(after.map((c) => `${c.set}\n${c.serviceKey}`));
    for (const c of before) if (!kept.has(`${c.set}\n${c.serviceKey}`)) this.unclaim(owner, c.set, c.serviceKey, changes);
    for (const c of after) this.claim(owner, c, changes);
    return changes;
  }

  /** Current elements of one map, grouped by service key in first-claim order. */
  elements(set: string): Element[] {
    const out: Element[] = [];
    for (const [serviceKey, owners] of this.maps.get(set) ?? []) {
      const visible = visibleData(owners);
      for (let i = 0; i < visible.length; i++) out.push(new EndpointMapElement(`${serviceKey} . ${i}`, visible[i]));
    }
    return out;
  }

  count(): number {
    return this.total;
  }

  private claim(owner: string, c: EndpointClaim, changes: ElementChange[] | undefined): void {
    let keys = this.maps.get(c.set);
    if (!keys) this.maps.set(c.set, (keys = new Map()));
    const owners = keys.get(c.serviceKey);
    if (!owners) {
      keys.set(c.serviceKey, [[owner, c.data]]);
      this.total += lengthOf(c.data);
      if (changes) diff(c.set, c.serviceKey, [], split(c.data), changes);
      return;
    }
    const at = owners.findIndex(([o]) => o === owner);
    if (owners.length === 1 && at === 0 && owners[0][1] === c.data) return; // the usual unchanged list
    const before = visibleData(owners);
    if (at >= 0) owners[at] = [owner, c.data];
    else {
      owners.push([owner, c.data]);
      owners.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    }
    const after = visibleData(owners);
    this.total += after.length - before.length;
    if (changes) diff(c.set, c.serviceKey, before, after, changes);
  }

  private unclaim(owner: string, set: string, serviceKey: string, changes: ElementChange[]): void {
    const keys = this.maps.get(set);
    const owners = keys?.get(serviceKey);
    const at = owners?.findIndex(([o]) => o === owner) ?? -1;
    if (!keys || !owners || at < 0) return;
    const before = visibleData(owners);
    owners.splice(at, 1);
    if (owners.length === 0) keys.delete(serviceKey);
    const after = visibleData(owners);
    this.total += after.length - before.length;
    diff(set, serviceKey, before, after, changes);
  }
}

/** Per index, the data of the first (smallest) owner whose list reaches it. */
function visibleData(owners: Owners): string[] {
  if (owners.length === 1) return split(owners[0][1]);
  const out: string[] = [];
  for (const [, joined] of owners) {
    const data = split(joined);
    for (let i = out.length; i < data.length; i++) out.push(data[i]);
  }
  return out;
}

function diff(set: string, serviceKey: string, before: readonly string[], after: readonly string[], changes: ElementChange[]): void {
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    if (before[i] === after[i]) continue;
    const key = `${serviceKey} . ${i}`;
    changes.push({
      set,
      before: before[i] === undefined ? undefined : new EndpointMapElement(key, before[i]),
      after: after[i] === undefined ? undefined : new EndpointMapElement(key, after[i]),
    });
  }
}
