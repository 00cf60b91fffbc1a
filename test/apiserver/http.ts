// Request routing: auth, injected latency, then get / list / watch / create / update / delete.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pager } from './pager.js';
import { type ResourcePath, type ResourceRegistry, apiVersionOf } from './resources.js';
import { type Predicate, SelectorError, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { failure } from './status.js';
import { type KubeObject, type ObjectStore, StoreError } from './store.js';
import { type ActiveWatch, parseVersion, serveWatch } from './watch.js';

/** Counters a test can assert on (e.g. that an informer relisted). */
export interface ServerStats {
  requests: number;
  lists: number;
  watches: number;
  /** Watches answered with an in-stream 410 Expired. */
  expiredWatches: number;
  /** The latest requests, "METHOD path?query", oldest first (bounded). */
  recent: string[];
}

export interface HandlerContext {
  store: ObjectStore;
  registry: ResourceRegistry;
  pager: Pager;
  stats: ServerStats;
  watches: Set<ActiveWatch>;
  /** Read per request, so faults can change them while the server runs. */
  settings: {
    token: string | undefined;
    latencyMs: number;
    /** When set, every request is answered with this HTTP status (a Status body). */
    failWith: number | undefined;
    bookmarkIntervalMs: number;
    maxWatchMs: number | undefined;
  };
}

const RECENT_LIMIT = 200;

const REASONS: Record<number, string> = {
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function createHandler(ctx: HandlerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(ctx, req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, failure(500, 'InternalError', String(err)));
      else res.destroy();
    });
  };
}

async function handle(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://apiserver');
  const method = req.method ?? 'GET';
  recordRequest(ctx.stats, `${method} ${url.pathname}${url.search}`);
  if (ctx.settings.latencyMs > 0) await sleep(ctx.settings.latencyMs);
  const failWith = ctx.settings.failWith;
  if (failWith !== undefined) {
    return sendJson(res, failWith, failure(failWith, REASONS[failWith] ?? 'Unknown', 'injected failure'));
  }
  const token = ctx.settings.token;
  if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) {
    return sendJson(res, 401, failure(401, 'Unauthorized', 'Unauthorized'));
  }
  if (method === 'GET' && ['/healthz', '/livez', '/readyz'].includes(url.pathname)) {
    res.writeHead(200, { 'content-type': 'text/plain' });
    return void res.end('ok');
  }
  if (method === 'GET' && url.pathname === '/version') {
    return sendJson(res, 200, { major: '1', minor: '30', gitVersion: 'v1.30.0-proxyctl-test' });
  }
  const target = ctx.registry.parsePath(url.pathname);
  if (target === undefined) {
    return sendJson(res, 404, failure(404, 'NotFound', `the server could not find the requested resource`));
  }
  try {
    await route(ctx, req, res, url, target);
  } catch (err) {
    if (err instanceof StoreError) return sendJson(res, err.code, failure(err.code, err.reason, err.message));
    if (err instanceof SelectorError) return sendJson(res, 400, failure(400, 'BadRequest', err.message));
    throw err;
  }
}

async function route(
  ctx: HandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  target: ResourcePath,
): Promise<void> {
  const { type, namespace, name } = target;
  const method = req.method ?? 'GET';
  if (method === 'GET' && name !== undefined) {
    const obj = ctx.store.get(type, namespace, name);
    if (obj === undefined) throw new StoreError(404, 'NotFound', `${type.plural} "${name}" not found`);
    return sendJson(res, 200, obj);
  }
  if (method === 'GET') {
    const matches = selectorOf(url);
    const watch = url.searchParams.get('watch');
    if (watch === 'true' || watch === '1') return startWatch(ctx, res, url, target, matches);
    return list(ctx, res, url, target, matches);
  }
  const ref = { apiVersion: apiVersionOf(type), kind: type.kind };
  if (method === 'DELETE' && name !== undefined) {
    return sendJson(res, 200, ctx.store.delete({ ...ref, namespace, name }));
  }
  if (method !== 'POST' && method !== 'PUT') {
    throw new StoreError(405, 'MethodNotAllowed', `${method} is not supported on ${url.pathname}`);
  }
  const body = await readObject(req);
  const metadata = { ...body.metadata, namespace: body.metadata.namespace ?? namespace };
  if (namespace !== undefined && metadata.namespace !== namespace) {
    throw new StoreError(400, 'BadRequest', 'the namespace of the object does not match the namespace of the URL');
  }
  const obj = { ...body, ...ref, metadata };
  if (method === 'POST' && name === undefined) return sendJson(res, 201, ctx.store.create(obj));
  if (method === 'PUT' && name === metadata.name) return sendJson(res, 200, ctx.store.update(obj));
  throw new StoreError(400, 'BadRequest', `${method} does not match the object name in ${url.pathname}`);
}

function list(ctx: HandlerContext, res: ServerResponse, url: URL, target: ResourcePath, matches: Predicate): void {
  ctx.stats.lists++;
  const { type, namespace } = target;
  const limit = Number(url.searchParams.get('limit') ?? '0');
  const token = url.searchParams.get('continue') ?? '';
  const resourceVersion = String(ctx.store.resourceVersion);
  const pageSize = Number.isSafeInteger(limit) && limit > 0 ? limit : 0;
  const page = ctx.pager.page(token, pageSize, resourceVersion, () => ctx.store.list(type, namespace).filter(matches));
  if (page === undefined) {
    throw new StoreError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result.');
  }
  // Items in a real list response carry no kind/apiVersion; clients must not rely on them.
  const items = page.items.map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest);
  const metadata: Record<string, unknown> = { resourceVersion: page.resourceVersion };
  if (page.continue !== undefined) {
    metadata.continue = page.continue;
    metadata.remainingItemCount = page.remaining;
  }
  sendJson(res, 200, { kind: `${type.kind}List`, apiVersion: apiVersionOf(type), metadata, items });
}

function startWatch(ctx: HandlerContext, res: ServerResponse, url: URL, target: ResourcePath, matches: Predicate): void {
  const resourceVersion = url.searchParams.get('resourceVersion') ?? undefined;
  try {
    parseVersion(resourceVersion);
  } catch (err) {
    throw new StoreError(400, 'BadRequest', (err as Error).message);
  }
  const timeoutSeconds = Number(url.searchParams.get('timeoutSeconds') ?? '0');
  const requested = timeoutSeconds > 0 ? timeoutSeconds * 1000 : undefined;
  const max = ctx.settings.maxWatchMs;
  ctx.stats.watches++;
  const { watch, expired } = serveWatch(
    ctx.store,
    {
      type: target.type,
      namespace: target.namespace,
      matches,
      resourceVersion,
      bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
      bookmarkIntervalMs: ctx.settings.bookmarkIntervalMs,
      timeoutMs: requested === undefined ? max : Math.min(requested, max ?? requested),
    },
    res,
  );
  if (expired) ctx.stats.expiredWatches++;
  ctx.watches.add(watch);
  void watch.done.then(() => ctx.watches.delete(watch));
}

function selectorOf(url: URL): Predicate {
  const byField = parseFieldSelector(url.searchParams.get('fieldSelector'));
  const byLabel = parseLabelSelector(url.searchParams.get('labelSelector'));
  return (obj) => byField(obj) && byLabel(obj);
}

async function readObject(req: IncomingMessage): Promise<KubeObject> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new StoreError(400, 'BadRequest', 'request body is not JSON');
  }
  if (body === null || typeof body !== 'object' || typeof (body as KubeObject).metadata !== 'object') {
    throw new StoreError(400, 'BadRequest', 'request body is not an object with metadata');
  }
  return body as KubeObject;
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function recordRequest(stats: ServerStats, line: string): void {
  stats.requests++;
  stats.recent.push(line);
  if (stats.recent.length > RECENT_LIMIT) stats.recent.splice(0, stats.recent.length - RECENT_LIMIT);
}
