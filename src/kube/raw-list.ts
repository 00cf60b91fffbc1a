import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface RawList {
  metadata: { resourceVersion?: string };
  items: Record<string, unknown>[];
}

/** An HTTP error from the API server; `statusCode` is what client-node's ListWatch and our restarts read. */
export class ListError extends Error {
  constructor(message: string, readonly statusCode: number) {
    super(message);
  }
}

/** Objects per list request, as client-go's reflector pages its lists. */
export const LIST_PAGE_SIZE = 500;

export interface ListOptions {
  /** Objects per request (limit/continue paging); 0 lists everything in one response. */
  pageSize?: number;
  /** Called on each object as its page arrives (e.g. trimming), before the next page is fetched. */
  onItem?: (item: Record<string, unknown>) => void;
}

/**
 * Lists `path` as plain wire JSON. client-node's typed list calls deserialize every object into model
 * classes (about 1 s for 10k services + 10k EndpointSlices here) that we would only turn back into JSON
 * — and the models rename fields (NetworkPolicy `from` is `_from`). The request carries the same TLS
 * agent and auth headers client-node's own Watch uses, so every kubeconfig it accepts works.
 *
 * Paged like client-go's reflector: one 10k-object response is tens of MB of text held at once (and
 * left as fragmented malloc heap); pages of 500 keep the peak small. Every page comes from the first
 * page's resourceVersion. An expired continue token (410) restarts the list unpaged, as client-go does.
 */
export async function listRaw(kc: KubeConfig, path: string, query: Record<string, string> = {}, options: ListOptions = {}): Promise<RawList> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('kubeconfig has no current cluster');
  const init = await kc.applyToFetchOptions({});
  const headers: Record<string, string> = { Accept: 'application/json' };
  (init.headers as unknown as { forEach(cb: (value: string, key: string) => void): void } | undefined)?.forEach((value, key) => {
    headers[key] = value;
  });
  const request = { headers, agent: init.agent as http.Agent | undefined };
  const pageSize = options.pageSize ?? LIST_PAGE_SIZE;
  const items: Record<string, unknown>[] = [];
  let metadata: RawList['metadata'] | undefined;
  let token = '';
  do {
    const url = new URL(server.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    if (pageSize > 0) url.searchParams.set('limit', String(pageSize));
    if (token) url.searchParams.set('continue', token);
    let page: Partial<RawList> & { metadata?: { continue?: string } };
    try {
      page = JSON.parse(await get(url, request)) as typeof page;
    } catch (err) {
      if (token && err instanceof ListError && err.statusCode === 410) return listRaw(kc, path, query, { ...options, pageSize: 0 });
      throw err;
    }
    for (const item of page.items ?? []) {
      options.onItem?.(item);
      items.push(item);
    }
    metadata ??= { resourceVersion: page.metadata?.resourceVersion };
    token = page.metadata?.continue ?? '';
  } while (token);
  return { metadata: metadata ?? {}, items };
}

function get(url: URL, options: http.RequestOptions): Promise<string> {
  const request = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(url, { ...options, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status === 200) resolve(text);
        else reject(new ListError(`GET ${url.pathname}${url.search}: HTTP ${status} ${text.slice(0, 200)}`, status));
      });
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`GET ${url.pathname}: no answer in 60 s`)));
    req.on('error', reject);
    req.end();
  });
}
