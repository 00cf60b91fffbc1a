#!/usr/bin/env node
// Bundles the parts of @kubernetes/client-node the daemon runs (KubeConfig, Watch, ListWatch and what they
// import) into dist/vendor/kube-client.js, leaving out the generated API clients and models.
//
// Why: client-node's KubeConfig imports gen/index.js (every generated API and model class) only for
// makeApiClient, and its ListWatch imports the ObjectSerializer (every model) only to pass a selector string
// through. We call neither. Loading that graph costs ~60 MB of resident memory and ~0.5 s at start-up.
// Two client-node-internal modules are replaced here; everything else is client-node's own code, unchanged.
// test/unit/kube-client-bundle.test.ts proves the bundle lists and watches against the test API server.
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const dist = '@kubernetes/client-node/dist/';

/** client-node-internal module (as imported by its own files) → what the bundle gets instead. */
const replacements = {
  './gen/index.js': [
    "const absent = () => { throw new Error('proxyctl bundles client-node without its generated API clients (makeApiClient is not available)'); };",
    'export const createConfiguration = absent;',
    'export class ServerConfiguration { constructor() { absent(); } }',
  ].join('\n'),
  // ListWatch serializes its label/field selector with type 'string', which is the identity.
  './serializer.js': [
    'export const ObjectSerializer = {',
    '  serialize(data, type) {',
    "    if (type !== 'string') throw new Error(`proxyctl's client-node bundle serializes strings only, not ${type}`);",
    '    return data;',
    '  },',
    '};',
  ].join('\n'),
};

await esbuild.build({
  stdin: {
    contents: [
      `export { KubeConfig } from '${dist}config.js';`,
      `export { Watch } from '${dist}watch.js';`,
      `export { ListWatch } from '${dist}cache.js';`,
    ].join('\n'),
    resolveDir: root,
    loader: 'js',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: `${root}dist/vendor/kube-client.js`,
  logLevel: 'warning',
  legalComments: 'inline',
  // Some bundled CommonJS dependencies call require() for Node built-ins.
  banner: { js: "import { createRequire as proxyctlCreateRequire } from 'node:module'; const require = proxyctlCreateRequire(import.meta.url);" },
  plugins: [
    {
      name: 'client-node-without-generated-code',
      setup(build) {
        build.onResolve({ filter: /^\.\/(gen\/index|serializer)\.js$/ }, (args) =>
          args.importer.includes('/@kubernetes/client-node/dist/') ? { path: args.path, namespace: 'proxyctl-replacement' } : undefined,
        );
        build.onLoad({ filter: /.*/, namespace: 'proxyctl-replacement' }, (args) => ({ contents: replacements[args.path], loader: 'js' }));
      },
    },
  ],
});
