// Child process: one parse, a cold render and a warm one, timed; prints a JSON line. Run as
// node --import tsx bench/render-one.ts --input F --backend B [--output text|ipset] [--out F] [--node-name N --node-ip IP --cluster-cidr C]
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadManifests } from '../src/kube/manifests.js';
import { renderObjects, type Backend, type OutputFormat, type RenderOptions } from '../src/pipeline.js';

export interface RenderOneResult {
  objects: number;
  parseMs: number;
  renderMs: number;
  /** CPU time (user + system, all threads) during the render: less sensitive to a busy machine. */
  renderCpuMs: number;
  /** A second render of the same objects in the same process (JIT warm, as in a running daemon). */
  warmMs: number;
  bytes: number;
  sha256: string;
  diagnostics: number;
  firstDiagnostic?: string;
  maxRssMb: number;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      input: { type: 'string' },
      backend: { type: 'string', default: 'nftables' },
      output: { type: 'string', default: 'text' },
      out: { type: 'string' },
      'node-name': { type: 'string', default: 'node1' },
      'node-ip': { type: 'string', multiple: true, default: [] },
      'cluster-cidr': { type: 'string', multiple: true, default: [] },
    },
  });
  if (!values.input) throw new Error('--input is required');
  const backend = values.backend as Backend;
  let t = performance.now();
  const loaded = loadManifests([values.input]);
  const parseMs = performance.now() - t;
  const opts: RenderOptions = {
    nodeName: values['node-name']!, nodeIPs: values['node-ip'], clusterCIDRs: values['cluster-cidr'],
    backend, output: values.output as OutputFormat, ipFamily: 'ipv4',
  };
  t = performance.now();
  const cpu = process.cpuUsage();
  const result = renderObjects(loaded.objects, opts);
  const renderMs = performance.now() - t;
  const used = process.cpuUsage(cpu);
  const renderCpuMs = (used.user + used.system) / 1000;
  // Peak memory of parse + one render, read before the warm render can raise it.
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  if (values.out) writeFileSync(values.out, result.output);
  t = performance.now();
  renderObjects(loaded.objects, opts);
  const warmMs = performance.now() - t;
  const out: RenderOneResult = {
    objects: loaded.objects.length,
    parseMs,
    renderMs,
    renderCpuMs,
    warmMs,
    bytes: Buffer.byteLength(result.output),
    sha256: createHash('sha256').update(result.output).digest('hex'),
    diagnostics: result.diagnostics.length,
    firstDiagnostic: result.diagnostics[0]?.message,
    maxRssMb,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main();
