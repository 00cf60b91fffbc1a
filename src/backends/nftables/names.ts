/** Every name we create in the kernel. Static names; per-size chains carry the endpoint count. */
export const TABLE = 'proxyctl';
export const MASQ_MARK = 0x4000;

export const SET = {
  clusterCIDRs: 'cluster-cidrs',
  clusterIPs: 'cluster-ips',
  nodePortIPs: 'nodeport-ips',
  externalMasq: 'external-masquerade',
  externalLocal: 'external-local',
  nodePortMasq: 'nodeport-masquerade',
  nodePortLocal: 'nodeport-local',
  hairpin: 'hairpin',
  firewallIPs: 'firewall-ips',
  firewallAllow: 'firewall-allow',
  serviceIPs: 'service-ips',
  serviceNodePorts: 'service-nodeports',
  fallbackIPs: 'cluster-fallback-ips',
  fallbackNodePorts: 'cluster-fallback-nodeports',
  noEndpointIPs: 'no-endpoint-services',
  noEndpointNodePorts: 'no-endpoint-nodeports',
  endpoints: 'endpoints',
  clusterEndpoints: 'cluster-endpoints',
  nodePortEndpoints: 'nodeport-endpoints',
  nodePortClusterEndpoints: 'nodeport-cluster-endpoints',
  affinity: 'affinity',
  affinityServices: 'affinity-services',
} as const;

export const CHAIN = {
  services: 'services',
  nodePortMasq: 'nodeport-masquerade',
  masquerading: 'masquerading',
  serviceChecks: 'service-checks',
  reject: 'reject-service',
  firewall: 'firewall',
  affinityRecord: 'affinity-record',
} as const;

/** Load-balancing chains are shared by every service key with the same endpoint count. */
export const lbChain = (n: number) => `lb-${n}`;
export const clusterLbChain = (n: number) => `cluster-lb-${n}`;
export const externalLocalChain = (n: number) => `external-local-${n}`;
export const nodePortLbChain = (n: number) => `nodeport-lb-${n}`;
export const nodePortClusterLbChain = (n: number) => `nodeport-cluster-lb-${n}`;
export const nodePortExternalLocalChain = (n: number) => `nodeport-external-local-${n}`;
export const affinityChain = (seconds: number) => `affinity-${seconds}s`;
