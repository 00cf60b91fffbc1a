// Commands for driving a TestApiServer in another process (e.g. inside a network namespace,
// which the test process cannot reach): one JSON object per line each way.

import type { TestApiServer } from './server.js';
import type { KubeObject, ObjectRef } from './store.js';

export type Command =
  | { op: 'create' | 'update' | 'apply'; object: KubeObject }
  | { op: 'load'; objects: KubeObject | KubeObject[] }
  | { op: 'delete'; ref: ObjectRef }
  | { op: 'get'; ref: ObjectRef }
  | { op: 'dropWatches' | 'endWatches' | 'expireHistory' | 'stats' }
  | { op: 'refuseConnections'; on: boolean }
  | { op: 'setLatency'; ms: number }
  | { op: 'failRequests'; code: number | null };

export interface Request {
  id: number;
  command: Command;
}

export type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** First line the server process prints once it listens. */
export interface Ready {
  url: string;
  token: string;
}

export async function execute(server: TestApiServer, command: Command): Promise<unknown> {
  switch (command.op) {
    case 'create':
      return server.create(command.object);
    case 'update':
      return server.update(command.object);
    case 'apply':
      return server.apply(command.object);
    case 'load':
      server.load(command.objects);
      return server.resourceVersion;
    case 'delete':
      return server.delete(command.ref);
    case 'get':
      return server.get(command.ref) ?? null;
    case 'dropWatches':
      return server.dropWatches();
    case 'endWatches':
      return server.endWatches();
    case 'expireHistory':
      server.expireHistory();
      return server.resourceVersion;
    case 'stats':
      return { ...server.stats, openWatches: server.openWatches, resourceVersion: server.resourceVersion };
    case 'refuseConnections':
      await server.refuseConnections(command.on);
      return null;
    case 'setLatency':
      server.setLatency(command.ms);
      return null;
    case 'failRequests':
      server.failRequests(command.code ?? undefined);
      return null;
  }
}
