import type { FamilyPlan } from '../../proxy/plan-types.js';
import { renderNodeRules } from './node-rules.js';
import { renderPortRules, type PortRules } from './port-rules.js';
import { restoreText } from './restore-text.js';

/**
 * Pure: one family's plan → iptables-restore input (nat and filter): the node's static rules plus each
 * service port's, the same pieces the daemon renders one service at a time.
 */
export function renderIptables(fp: FamilyPlan, nodeName: string): string {
  return restoreText(renderNodeRules(fp, nodeName), portsOf(fp));
}

/** Rendered as the text is written, so each port's rules are garbage as soon as they are copied out. */
function* portsOf(fp: FamilyPlan): Generator<PortRules> {
  for (const p of fp.ports) yield renderPortRules(p, fp);
}
