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

/**
 * Lists `path` as plain wire JSON. client-node's typed list calls deserialize every object into model
 * classes (about 1 s for 10k services + 10k EndpointSlices here) that we would only turn back into JSON
 * — and the models rename fields (NetworkPolicy `from` is `_from`). The request carries the same TLS
 * agent and auth headers client-node's own Watch uses, so every kubeconfig it accepts works.
 */
export async function listRaw(kc: KubeConfig, path: string, query: Record<string, string> = {}): Promise<RawList> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('kubeconfig has no current cluster');
  const url = new URL(server.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const init = await kc.applyToFetchOptions({});
  const headers: Record<string, string> = { Accept: 'application/json' };
  (init.headers as unknown as { forEach(cb: (value: string, key: string) => void): void } | undefined)?.forEach((value, key) => {
    headers[key] = value;
  });
  const body = await get(url, { headers, agent: init.agent as http.Agent | undefined });
  const list = JSON.parse(body) as Partial<RawList>;
  return { metadata: list.metadata ?? {}, items: list.items ?? [] };
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
