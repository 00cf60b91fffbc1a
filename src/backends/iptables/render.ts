import type { FamilyPlan } from '../../proxy/plan-types.js';
import { renderNodeRules } from './node-rules.js';
import { renderPortRules } from './port-rules.js';
import { restoreText } from './restore-text.js';

/**
 * Pure: one family's plan → iptables-restore input (nat and filter): the node's static rules plus each
 * service port's, the same pieces the daemon renders one service at a time.
 */
export function renderIptables(fp: FamilyPlan, nodeName: string): string {
  const ports = new Array(fp.ports.length);
  for (let i = 0; i < fp.ports.length; i++) ports[i] = renderPortRules(fp.ports[i], fp);
  return restoreText(renderNodeRules(fp, nodeName), ports);
}
