// One watch stream: replay history after the client's resourceVersion, then follow live
// writes, as newline-delimited JSON events over a chunked HTTP response.

import type { ServerResponse } from 'node:http';
import { type ResourceType, apiVersionOf, resourceKey } from './resources.js';
import type { Predicate } from './selectors.js';
import { failure } from './status.js';
import type { KubeObject, ObjectStore, StoreEvent } from './store.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchRequest {
  type: ResourceType;
  namespace: string | undefined;
  matches: Predicate;
  /** undefined, '' or '0' means "from now", preceded by ADDED for every current object. */
  resourceVersion: string | undefined;
  bookmarks: boolean;
  bookmarkIntervalMs: number;
  /** End the stream cleanly after this long (timeoutSeconds, or the server's maximum). */
  timeoutMs: number | undefined;
}

/** A live stream the server can end cleanly or cut. */
export interface ActiveWatch {
  /** Ends the response properly (terminating chunk), like a server-side watch timeout. */
  end(): void;
  /** Destroys the socket mid-stream, like a crashed server or a broken network. */
  destroy(): void;
  readonly done: Promise<void>;
}

export interface WatchOutcome {
  watch: ActiveWatch;
  /** True when the stream was answered with 410 Expired. */
  expired: boolean;
}

export function serveWatch(store: ObjectStore, request: WatchRequest, res: ServerResponse): WatchOutcome {
  const since = parseVersion(request.resourceVersion);
  const replay = since === undefined ? initialEvents(store, request) : store.eventsSince(request.type, since);

  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
  res.flushHeaders();
  const done = new Promise<void>((resolve) => res.on('close', resolve));
  const watch: ActiveWatch = { end: () => res.end(), destroy: () => res.destroy(), done };
  const write = (type: WatchEventType, object: unknown): void => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  };

  if (replay === undefined) {
    // Real servers answer a too-old resume point in-stream: 200, one ERROR event, end of stream.
    const message = `too old resource version: ${since} (${store.resourceVersion})`;
    write('ERROR', failure(410, 'Expired', message));
    res.end();
    return { watch, expired: true };
  }

  const send = (event: StoreEvent): void => {
    const translated = translate(event, request);
    if (translated !== undefined) write(translated, event.object);
  };
  for (const event of replay) send(event);
  const unsubscribe = store.subscribe(send);

  const timers: NodeJS.Timeout[] = [];
  if (request.bookmarks) {
    const bookmark = {
      kind: request.type.kind,
      apiVersion: apiVersionOf(request.type),
      metadata: { resourceVersion: '' },
    };
    const sendBookmark = (): void => {
      bookmark.metadata.resourceVersion = String(store.resourceVersion);
      write('BOOKMARK', bookmark);
    };
    timers.push(setInterval(sendBookmark, request.bookmarkIntervalMs));
  }
  if (request.timeoutMs !== undefined) timers.push(setTimeout(() => res.end(), request.timeoutMs));
  res.on('close', () => {
    unsubscribe();
    for (const timer of timers) clearTimeout(timer);
  });
  return { watch, expired: false };
}

/** Throws on a malformed version so the caller can answer 400 before any headers. */
export function parseVersion(text: string | undefined): number | undefined {
  if (text === undefined || text === '' || text === '0') return undefined;
  const rv = Number(text);
  if (!Number.isSafeInteger(rv) || rv < 0) throw new Error(`invalid resourceVersion "${text}"`);
  return rv;
}

function initialEvents(store: ObjectStore, request: WatchRequest): StoreEvent[] {
  return store.list(request.type, request.namespace).map((object) => ({
    rv: Number(object.metadata.resourceVersion),
    type: 'ADDED',
    resource: resourceKey(request.type),
    object,
  }));
}

/**
 * What a filtered watcher sees: an object moving into the selection is ADDED, one moving out
 * is DELETED (the real server's semantics for selector watches).
 */
function translate(event: StoreEvent, request: WatchRequest): WatchEventType | undefined {
  const inScope = (obj: KubeObject | undefined): boolean =>
    obj !== undefined &&
    (request.namespace === undefined || obj.metadata.namespace === request.namespace) &&
    request.matches(obj);
  if (event.resource !== resourceKey(request.type)) return undefined;
  const now = event.type !== 'DELETED' && inScope(event.object);
  const before = event.type === 'ADDED' ? false : inScope(event.previous ?? event.object);
  if (now && before) return 'MODIFIED';
  if (now) return 'ADDED';
  if (before) return 'DELETED';
  return undefined;
}
