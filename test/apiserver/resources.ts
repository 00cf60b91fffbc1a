// The resource types the test API server serves, and how URL paths map onto them.

export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

export const DEFAULT_RESOURCES: readonly ResourceType[] = [
  { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true },
  { group: '', version: 'v1', plural: 'endpoints', kind: 'Endpoints', namespaced: true },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false },
  { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', kind: 'NetworkPolicy', namespaced: true },
];

export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** Stable key used by the store: "group/version/plural". */
export function resourceKey(type: ResourceType): string {
  return `${type.group}/${type.version}/${type.plural}`;
}

/** What a request path names: a collection (name undefined) or one object. */
export interface ResourcePath {
  type: ResourceType;
  /** undefined means all namespaces (or a cluster-scoped resource). */
  namespace: string | undefined;
  name: string | undefined;
}

export class ResourceRegistry {
  private readonly byKind = new Map<string, ResourceType>();
  private readonly byPath = new Map<string, ResourceType>();

  constructor(types: readonly ResourceType[]) {
    for (const type of types) {
      this.byKind.set(`${apiVersionOf(type)}|${type.kind}`, type);
      this.byPath.set(`${apiVersionOf(type)}|${type.plural}`, type);
    }
  }

  forObject(apiVersion: string | undefined, kind: string | undefined): ResourceType | undefined {
    return this.byKind.get(`${apiVersion ?? ''}|${kind ?? ''}`);
  }

  /** Parses /api/v1/... and /apis/GROUP/VERSION/...; undefined for anything else. */
  parsePath(pathname: string): ResourcePath | undefined {
    const segments = pathname.split('/').filter((s) => s !== '').map(decodeURIComponent);
    let apiVersion: string;
    let rest: string[];
    if (segments[0] === 'api' && segments.length >= 3) {
      apiVersion = segments[1];
      rest = segments.slice(2);
    } else if (segments[0] === 'apis' && segments.length >= 4) {
      apiVersion = `${segments[1]}/${segments[2]}`;
      rest = segments.slice(3);
    } else {
      return undefined;
    }
    // namespaces/NS/PLURAL[/NAME] is namespaced; namespaces[/NAME] is the Namespace kind itself.
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const type = this.byPath.get(`${apiVersion}|${rest[2]}`);
      if (type === undefined || !type.namespaced || rest.length > 4) return undefined;
      return { type, namespace: rest[1], name: rest[3] };
    }
    const type = this.byPath.get(`${apiVersion}|${rest[0]}`);
    if (type === undefined || rest.length > 2) return undefined;
    return { type, namespace: undefined, name: rest[1] };
  }
}
