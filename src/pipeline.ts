import { renderIptables } from './backends/iptables/render.js';
import { tablesJson } from './backends/nftables/json.js';
import { NftJson } from './backends/nftables/schema.js';
import { renderNftables } from './backends/nftables/render.js';
import { tablesText } from './backends/nftables/text.js';
import { convertObjects, type SourcedObject } from './model/convert.js';
import { buildNodeContext, type NodeFlags } from './model/context.js';
import type { Diagnostic } from './model/diagnostics.js';
import type { IPFamily } from './model/ip.js';
import { planServices } from './proxy/plan.js';

export type Backend = 'nftables' | 'iptables';
export type OutputFormat = 'text' | 'json';

export interface RenderOptions extends NodeFlags {
  backend: Backend;
  output: OutputFormat;
  ipFamily: IPFamily;
}

export interface RenderResult {
  output: string;
  diagnostics: Diagnostic[];
}

/** Pure: objects and flags in, the ruleset text out — the same path the daemon takes, minus the kernel. */
export function renderObjects(objects: SourcedObject[], opts: RenderOptions): RenderResult {
  const conversion = convertObjects(objects);
  const { ctx, diagnostics: ctxDiagnostics } = buildNodeContext(opts, conversion.state);
  const plan = planServices(conversion.state, ctx);
  const diagnostics = [...conversion.diagnostics, ...ctxDiagnostics, ...plan.diagnostics];
  if (opts.backend === 'iptables') {
    const family = plan.families.find((f) => f.family === opts.ipFamily)!;
    return { output: renderIptables(family, ctx.nodeName), diagnostics };
  }
  const nft = renderNftables(plan, ctx.nodeName);
  diagnostics.push(...nft.diagnostics);
  if (opts.output === 'json') {
    // Validate before printing: what we emit must match the schema of what we read back.
    const json = NftJson.parse(tablesJson(nft.tables));
    return { output: JSON.stringify(json, null, 1) + '\n', diagnostics };
  }
  return { output: tablesText(nft.tables), diagnostics };
}
