/** What both policy renderers need besides the PolicyPlan. */
export interface PolicyRenderOptions {
  /**
   * `deny`: traffic to or from an address inside this node's pod CIDRs that no known pod holds is
   * dropped (a pod we have not seen yet is not left unpoliced); `allow`: such traffic is not judged.
   */
  unknownPods: 'allow' | 'deny';
  /** This node's pod CIDRs, both families; unparsable entries are ignored (flags are validated upstream). */
  podCIDRs: readonly string[];
  /**
   * More addresses to treat as known local pods. The plan's `localPods` (every local pod the
   * compiler saw, isolated or not) are always known, so callers need not pass them again.
   */
  localPods?: readonly string[];
}
