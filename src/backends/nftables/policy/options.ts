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
   * Addresses of every pod on this node the control plane knows, isolated or not (see
   * localPodAddresses). Targets' addresses are always known; without this list, `deny` would also
   * drop the traffic of local pods no policy selects.
   */
  localPods?: readonly string[];
}
