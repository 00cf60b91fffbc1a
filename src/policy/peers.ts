import { FieldError } from '../model/diagnostics.js';
import { isObject } from '../model/fields.js';
import { compareCIDRText, parseCIDR, rangesToCIDRs, subtractRanges, type AddressRange } from './cidr.js';
import type { PodInfo } from './inventory.js';
import { compareStrings } from './objects.js';
import { parseSelector, type Selector } from './selectors.js';
import type { GroupSelection, Selection } from './selection.js';
import type { AddressSet, IPBlock, RulePeers } from './types.js';

/** NetworkPolicyPeer: podSelector and/or namespaceSelector, or an ipBlock alone. */

export type PeerSpec = SelectorPeer | IPBlockPeer;

export interface SelectorPeer {
  kind: 'selector';
  /** Absent: every pod of the selected namespaces. */
  podSelector?: Selector;
  /** Absent: the policy's own namespace. */
  namespaceSelector?: Selector;
}

export interface IPBlockPeer {
  kind: 'ipBlock';
  block: IPBlock;
  range: AddressRange;
  holes: AddressRange[];
}

/** Parses one peer, throwing a FieldError on anything the API server would reject. */
export function parsePeer(raw: unknown, field: string): PeerSpec {
  if (!isObject(raw)) throw new FieldError(field, 'must be an object');
  const set = (v: unknown) => v !== undefined && v !== null;
  const { podSelector, namespaceSelector, ipBlock } = raw;
  if (set(ipBlock)) {
    if (set(podSelector) || set(namespaceSelector)) throw new FieldError(field, 'may not specify both ipBlock and another peer');
    return parseIPBlock(ipBlock, `${field}.ipBlock`);
  }
  if (!set(podSelector) && !set(namespaceSelector)) throw new FieldError(field, 'must specify a peer');
  return {
    kind: 'selector',
    ...(set(podSelector) ? { podSelector: parseSelector(podSelector, `${field}.podSelector`) } : {}),
    ...(set(namespaceSelector) ? { namespaceSelector: parseSelector(namespaceSelector, `${field}.namespaceSelector`) } : {}),
  };
}

function parseIPBlock(raw: unknown, field: string): IPBlockPeer {
  if (!isObject(raw)) throw new FieldError(field, 'must be an object');
  const range = parseCIDR(raw.cidr);
  if (!range) throw new FieldError(`${field}.cidr`, `invalid CIDR ${JSON.stringify(raw.cidr)}`);
  const rawExcept = raw.except === undefined || raw.except === null ? [] : raw.except;
  if (!Array.isArray(rawExcept)) throw new FieldError(`${field}.except`, 'must be a list');
  const holes: AddressRange[] = [];
  const except: string[] = [];
  rawExcept.forEach((text, i) => {
    const hole = parseCIDR(text);
    if (!hole) throw new FieldError(`${field}.except[${i}]`, `invalid CIDR ${JSON.stringify(text)}`);
    // "Except values will be rejected if they are outside the cidr range": a strict subset.
    const inside = hole.family === range.family && hole.start >= range.start && hole.end <= range.end;
    if (!inside || hole.end - hole.start >= range.end - range.start) {
      throw new FieldError(`${field}.except[${i}]`, `${JSON.stringify(text)} must be a strict subset of cidr ${range.cidr}`);
    }
    holes.push({ family: hole.family, start: hole.start, end: hole.end });
    if (!except.includes(hole.cidr)) except.push(hole.cidr);
  });
  return {
    kind: 'ipBlock',
    block: { family: range.family, cidr: range.cidr, except: except.sort(compareCIDRText) },
    range: { family: range.family, start: range.start, end: range.end },
    holes,
  };
}

export interface ResolvedPeers {
  peers: RulePeers;
  /** Identity of the peer pod selection: `*` for every pod, else the sorted group ids. */
  key: string;
  /** Pods that are peers (every pod when `peers.all`): where egress named ports resolve. */
  pods(): readonly PodInfo[];
}

/** Resolves the valid peers of one rule; `undefined` means from/to was absent or empty (all peers). */
export function compilePeers(specs: readonly PeerSpec[] | undefined, policyNamespace: string, selection: Selection): ResolvedPeers {
  if (specs === undefined) {
    return { peers: { all: true, pods: emptySet(), groups: [], ipBlocks: [], nets: emptySet() }, key: '*', pods: () => selection.inventory.pods };
  }
  const groups = new Map<string, GroupSelection>();
  const blocks: IPBlockPeer[] = [];
  for (const spec of specs) {
    if (spec.kind === 'ipBlock') blocks.push(spec);
    else {
      const g = selection.peerGroup(spec, policyNamespace);
      groups.set(g.group.id, g);
    }
  }
  const sorted = [...groups.values()].sort((a, b) => compareStrings(a.group.id, b.group.id));
  const union = selection.union(sorted);
  const remaining = blocks.flatMap((b) => subtractRanges(b.range, b.holes));
  return {
    peers: {
      all: false,
      pods: union.pods,
      groups: sorted.map((g) => g.group),
      ipBlocks: uniqueBlocks(blocks.map((b) => b.block)),
      nets: { ipv4: rangesToCIDRs('ipv4', remaining), ipv6: rangesToCIDRs('ipv6', remaining) },
    },
    key: union.key,
    pods: union.members,
  };
}

export function emptySet(): AddressSet {
  return { ipv4: [], ipv6: [] };
}

function uniqueBlocks(blocks: IPBlock[]): IPBlock[] {
  const key = (b: IPBlock) => `${b.cidr} ${b.except.join(',')}`;
  const byKey = new Map(blocks.map((b) => [key(b), b]));
  return [...byKey.values()].sort((a, b) => compareCIDRText(a.cidr, b.cidr) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
