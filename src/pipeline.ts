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
import { renderPolicyIptables } from './backends/iptables/policy/index.js';
import { policyTablesJson, renderPolicyNftables, type PolicyRenderOptions } from './backends/nftables/policy/index.js';
import { compilePolicyPlan } from './policy/index.js';
import type { ClusterState, NodeContext } from './model/types.js';

export type Backend = 'nftables' | 'iptables';
/** `ipset`: the iptables backend's ipset restore input for NetworkPolicy (applied before the rules). */
export type OutputFormat = 'text' | 'json' | 'ipset';

export interface RenderOptions extends NodeFlags {
  backend: Backend;
  output: OutputFormat;
  ipFamily: IPFamily;
  /** Traffic of addresses in this node's pod CIDRs that no known pod holds (the pod-start window). */
  policyUnknownPods?: 'allow' | 'deny';
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
  const policy = compilePolicy(conversion.others, conversion.state, ctx, opts.policyUnknownPods ?? 'allow');
  const diagnostics = [...conversion.diagnostics, ...ctxDiagnostics, ...plan.diagnostics, ...policy.plan.diagnostics];
  if (opts.backend === 'iptables') {
    const family = plan.families.find((f) => f.family === opts.ipFamily)!;
    const rendered = renderPolicyIptables(policy.plan, opts.ipFamily, policy.options);
    if (opts.output === 'ipset') return { output: rendered.ipset, diagnostics };
    return { output: mergeRestore(renderIptables(family, ctx.nodeName), rendered.rules), diagnostics };
  }
  const nft = renderNftables(plan, ctx.nodeName);
  const policyTables = renderPolicyNftables(policy.plan, policy.options);
  diagnostics.push(...nft.diagnostics);
  if (opts.output === 'json') {
    // Validate before printing: what we emit must match the schema of what we read back.
    const [, ...policyItems] = policyTablesJson(policyTables).nftables;
    const json = NftJson.parse({ nftables: [...tablesJson(nft.tables).nftables, ...policyItems] });
    return { output: JSON.stringify(json, null, 1) + '\n', diagnostics };
  }
  if (opts.output === 'ipset') return { output: '', diagnostics };
  return { output: tablesText([...nft.tables, ...policyTables]), diagnostics };
}

/**
 * One section per table: a second `*filter` would flush the first when loaded without --noflush.
 * The extra section's chain declarations join the first's, its rules go last.
 */
export function mergeRestore(base: string, extra: string): string {
  if (!extra) return base;
  const sections = new Map<string, { decls: string[]; rules: string[] }>();
  const order: string[] = [];
  let current: { decls: string[]; rules: string[] } | undefined;
  for (const text of [base, extra]) {
    for (const line of text.split('\n')) {
      if (line.startsWith('*')) {
        const name = line.slice(1);
        if (!sections.has(name)) {
          sections.set(name, { decls: [], rules: [] });
          order.push(name);
        }
        current = sections.get(name);
      } else if (line.startsWith(':')) current?.decls.push(line);
      else if (line && line !== 'COMMIT') current?.rules.push(line);
    }
  }
  return order.map((name) => [`*${name}`, ...sections.get(name)!.decls, ...sections.get(name)!.rules, 'COMMIT'].join('\n') + '\n').join('');
}

const POLICY_KINDS = new Set(['Pod', 'Namespace', 'NetworkPolicy']);

/** NetworkPolicy for this node: the compiled plan and what its renderers need besides it. */
export function compilePolicy(others: SourcedObject[], state: ClusterState, ctx: NodeContext, unknownPods: 'allow' | 'deny') {
  const sources = others.filter((o) => POLICY_KINDS.has(String(o.object.kind)));
  const plan = compilePolicyPlan(sources, { nodeName: ctx.nodeName, nodeIPs: ctx.nodeIPs });
  // Unknown-pod addresses are judged inside this node's own pod CIDRs (the Node's), not the cluster's.
  const podCIDRs = state.nodes.find((n) => n.name === ctx.nodeName)?.podCIDRs ?? ctx.clusterCIDRs;
  const options: PolicyRenderOptions = { unknownPods, podCIDRs };
  return { plan, options };
}
