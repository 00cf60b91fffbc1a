import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { ConfigError } from './errors.js';
import { KUBE_PROXY_API_VERSION, KUBE_PROXY_KIND, fromKubeProxyConfiguration } from './kube-proxy-file.js';
import { PROXYCTL_API_VERSION, PROXYCTL_KIND, fromProxyctlConfiguration } from './proxyctl-file.js';
import type { LoadedConfig } from './types.js';

/** Reads `--config FILE` (YAML or JSON): a ProxyctlConfiguration, or a kube-proxy KubeProxyConfiguration. */
export function loadConfig(path: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError([`${path}: ${code === 'ENOENT' ? 'no such file or directory' : `cannot read: ${(err as Error).message}`}`]);
  }
  return parseConfig(text, path);
}

/** Parses settings text; `file` only names the source in messages. */
export function parseConfig(text: string, file: string): LoadedConfig {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const list = (Array.isArray(docs) ? docs : [docs]).filter((d) => d.contents !== null || d.errors.length > 0);
  if (list.length === 0) throw new ConfigError([`${file}: empty; expected a ${PROXYCTL_KIND} or a ${KUBE_PROXY_KIND}`]);
  if (list.length > 1) throw new ConfigError([`${file}: expected one settings document, found ${list.length}`]);
  const [doc] = list;
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const at = e.linePos?.[0] ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '';
    throw new ConfigError([`${file}: malformed YAML/JSON${at}: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`]);
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  const { apiVersion, kind } = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  if (kind === PROXYCTL_KIND && apiVersion === PROXYCTL_API_VERSION) return { config: fromProxyctlConfiguration(value, file), warnings: [] };
  if (kind === KUBE_PROXY_KIND && apiVersion === KUBE_PROXY_API_VERSION) return fromKubeProxyConfiguration(value, file);
  throw new ConfigError([`${file}: expected apiVersion ${PROXYCTL_API_VERSION}, kind ${PROXYCTL_KIND} `
    + `(or apiVersion ${KUBE_PROXY_API_VERSION}, kind ${KUBE_PROXY_KIND}); got apiVersion ${JSON.stringify(apiVersion) ?? 'none'}, kind ${JSON.stringify(kind) ?? 'none'}`]);
}
