import type { NftFamily, Json, Rule } from './ast.js';

/** One element: key parts and, for maps, data parts or a verdict. Parts are already nft literals. */
export interface Element {
  key: (string | number)[];
  data?: (string | number)[];
  verdict?: { kind: 'goto' | 'jump'; target: string } | 'drop' | 'accept';
  comment?: string;
  /** Memo of the element's text (set on first print; elements are never mutated after creation). */
  text?: string;
  /** `key` as text (`a . b . c`), when the element can give it without building the key list. */
  readonly keyText?: string;
}

export interface NftSet {
  name: string;
  /** `type` datatypes, e.g. ['ipv4_addr', 'inet_proto', 'inet_service']; or a typeof expression. */
  keyType: string[];
  keyTypeof?: string;
  /** Map data: 'verdict' or datatypes; absent for a plain set. */
  dataType?: string[];
  dataTypeof?: string;
  flags?: string[];
  size?: number;
  comment?: string;
  elements: Element[];
}

export interface Chain {
  name: string;
  base?: { type: 'filter' | 'nat'; hook: string; priority: string; prio: number };
  comment?: string;
  rules: Rule[];
}

export interface Table {
  family: NftFamily;
  name: string;
  comment: string;
  sets: NftSet[];
  chains: Chain[];
}

export type { Json };
