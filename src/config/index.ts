// The daemon's settings: defaults, `--config FILE` (ours or kube-proxy's), flags, validation.
export { BACKENDS, LOG_LEVELS, POLICY_UNKNOWN_PODS, type Backend, type DaemonConfig, type LoadedConfig, type LogLevel, type PolicyUnknownPods } from './types.js';
export { DEFAULT_BACKEND, DEFAULT_SYNC_PERIOD_SECONDS, defaultConfig } from './defaults.js';
export { DURATION_HINT, parseDuration } from './duration.js';
export { ConfigError } from './errors.js';
export { explicitOptions } from './flags.js';
export { loadConfig, parseConfig } from './load.js';
export { PROXYCTL_API_VERSION, PROXYCTL_KIND, ProxyctlConfiguration } from './proxyctl-file.js';
export { KUBE_PROXY_API_VERSION, KUBE_PROXY_KIND } from './kube-proxy-file.js';
export { resolveConfig, type ConfigEnv, type ConfigFlags } from './resolve.js';
export { configProblems, validateConfig, type Origins, type Problem } from './validate.js';
