// Keeps the NodePort range out of the kernel's ephemeral ports (net.ipv4.ip_local_reserved_ports,
// which covers IPv6 too), so an outgoing connection never takes a port a NodePort needs.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from './listen.js';
import type { Log } from './logger.js';

export interface PortRange {
  min: number;
  max: number;
}

export interface ReserveOptions {
  log: Log;
  /** Root of procfs; tests pass a fake directory. */
  procRoot?: string;
}

export interface ReserveResult {
  /** The file now holds this value (undefined when it could not be read or written). */
  value?: string;
  changed: boolean;
}

export const RESERVED_PORTS_FILE = 'sys/net/ipv4/ip_local_reserved_ports';

/** Adds the range to the reserved ports, keeping what is there; logs and continues on failure. */
export async function reserveNodePortRange(range: PortRange, options: ReserveOptions): Promise<ReserveResult> {
  const path = join(options.procRoot ?? '/proc', RESERVED_PORTS_FILE);
  let current: string;
  let existing: PortRange[];
  try {
    current = (await readFile(path, 'utf8')).trim();
    existing = parsePortList(current);
  } catch (error) {
    options.log.warn({ path, code: errorCode(error) }, 'cannot read reserved ports; NodePorts may collide with ephemeral ports');
    return { changed: false };
  }
  const value = formatPortList(mergePortRanges([...existing, range]));
  if (value === formatPortList(mergePortRanges(existing))) return { value: current, changed: false };
  try {
    await writeFile(path, `${value}\n`);
  } catch (error) {
    options.log.warn({ path, range: `${range.min}-${range.max}`, code: errorCode(error) }, 'cannot reserve the NodePort range; NodePorts may collide with ephemeral ports');
    return { value: current, changed: false };
  }
  options.log.info({ path, value }, 'reserved the NodePort range');
  return { value, changed: true };
}

/** "30000-32767,40000" -> ranges; an empty string is no range. Throws on anything else. */
export function parsePortList(text: string): PortRange[] {
  const out: PortRange[] = [];
  for (const token of text.split(',').map((t) => t.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(token);
    const min = m ? Number(m[1]) : NaN;
    const max = m?.[2] !== undefined ? Number(m[2]) : min;
    if (!m || min < 1 || max > 65535 || min > max) throw new Error(`invalid port list entry ${JSON.stringify(token)}`);
    out.push({ min, max });
  }
  return out;
}

/** Sorted, with overlapping and adjacent ranges joined. */
export function mergePortRanges(ranges: PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a.min - b.min || a.max - b.max);
  const out: PortRange[] = [];
  for (const range of sorted) {
    const last = out[out.length - 1];
    if (last && range.min <= last.max + 1) last.max = Math.max(last.max, range.max);
    else out.push({ ...range });
  }
  return out;
}

export function formatPortList(ranges: PortRange[]): string {
  return ranges.map((r) => (r.min === r.max ? String(r.min) : `${r.min}-${r.max}`)).join(',');
}
