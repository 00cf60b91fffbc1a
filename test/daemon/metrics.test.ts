import { expect } from 'chai';
import { register as globalRegistry, type Registry } from 'prom-client';
import { createMetrics, noopMetrics, programmingLatencySeconds, PROGRAMMING_BUCKETS, SYNC_BUCKETS } from '../../src/daemon/metrics.js';

async function value(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const match = values.find((v) => Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want) && Object.keys(v.labels).length === Object.keys(labels).length);
  return match?.value;
}

describe('daemon/metrics', function () {
  it('registers every metric in its own registry, none in the global one', async function () {
    const { registry } = createMetrics();
    const all = (await registry.getMetricsAsJSON()).map((m) => m.name);
    const names = all.filter((n) => n.startsWith('proxyctl_')).sort();
    expect(all.filter((n) => !n.startsWith('proxyctl_') && !/^(process|nodejs)_/.test(n))).to.deep.equal([]);
    expect(names).to.deep.equal([
      'proxyctl_conntrack_cleanup_entries_total',
      'proxyctl_network_programming_duration_seconds',
      'proxyctl_nodeport_bind_failures_total',
      'proxyctl_proxy_healthz_total',
      'proxyctl_sync_proxy_rules_duration_seconds',
      'proxyctl_sync_proxy_rules_failures_total',
      'proxyctl_sync_proxy_rules_iptables_rules',
      'proxyctl_sync_proxy_rules_last_timestamp_seconds',
      'proxyctl_sync_proxy_rules_nft_chains',
      'proxyctl_sync_proxy_rules_nft_elements',
    ]);
    for (const name of all) expect(globalRegistry.getSingleMetric(name), name).to.equal(undefined);
    createMetrics(); // a second instance does not clash
  });

  it('sync histogram: label kind, buckets 1 ms .. 60 s growing exponentially', async function () {
    const { metrics, registry } = createMetrics();
    expect(SYNC_BUCKETS[0]).to.equal(0.001);
    expect(SYNC_BUCKETS[SYNC_BUCKETS.length - 1]).to.equal(60);
    for (let i = 1; i < SYNC_BUCKETS.length; i++) expect((SYNC_BUCKETS[i] as number) / (SYNC_BUCKETS[i - 1] as number)).to.be.within(1.5, 2.01);
    metrics.observeSync('full', 0.0015);
    metrics.observeSync('partial', 0.02);
    metrics.observeSync('partial', 0.03);
    const text = await registry.metrics();
    expect(text).to.include('proxyctl_sync_proxy_rules_duration_seconds_count{kind="full"} 1');
    expect(text).to.include('proxyctl_sync_proxy_rules_duration_seconds_count{kind="partial"} 2');
    expect(text).to.include('proxyctl_sync_proxy_rules_duration_seconds_bucket{le="0.002",kind="full"} 1');
    expect(text).to.include('proxyctl_sync_proxy_rules_duration_seconds_bucket{le="0.001",kind="full"} 0');
    expect(text).to.include('proxyctl_sync_proxy_rules_duration_seconds_bucket{le="60",kind="partial"} 2');
  });

  it('network programming histogram: 5 ms .. 150 ms, then kube-proxy buckets (0.25 s .. 5 min)', async function () {
    const { metrics, registry } = createMetrics();
    expect(PROGRAMMING_BUCKETS.slice(0, 3)).to.deep.equal([0.005, 0.01, 0.015]);
    expect(PROGRAMMING_BUCKETS.slice(11, 15)).to.deep.equal([0.25, 0.5, 1, 2]);
    expect([...PROGRAMMING_BUCKETS].sort((a, b) => a - b)).to.deep.equal([...PROGRAMMING_BUCKETS]);
    metrics.observeProgrammingLatency(0.022);
    expect(await registry.metrics()).to.include('proxyctl_network_programming_duration_seconds_bucket{le="0.02"} 0')
      .and.to.include('proxyctl_network_programming_duration_seconds_bucket{le="0.025"} 1');
    expect(PROGRAMMING_BUCKETS[PROGRAMMING_BUCKETS.length - 1]).to.equal(300);
    metrics.observeProgrammingLatency(1.2);
    const text = await registry.metrics();
    expect(text).to.include('proxyctl_network_programming_duration_seconds_bucket{le="1"} 1');
    expect(text).to.include('proxyctl_network_programming_duration_seconds_bucket{le="2"} 2');
  });

  it('rule-count gauges per family; only the given fields change', async function () {
    const { metrics, registry } = createMetrics();
    metrics.setRuleCounts({ family: 'ipv4', chains: 12, elements: 340 });
    metrics.setRuleCounts({ family: 'ipv6', chains: 5, elements: 7, rules: 9 });
    metrics.setRuleCounts({ family: 'ipv4', elements: 341 });
    expect(await value(registry, 'proxyctl_sync_proxy_rules_nft_chains', { family: 'ipv4' })).to.equal(12);
    expect(await value(registry, 'proxyctl_sync_proxy_rules_nft_elements', { family: 'ipv4' })).to.equal(341);
    expect(await value(registry, 'proxyctl_sync_proxy_rules_nft_elements', { family: 'ipv6' })).to.equal(7);
    expect(await value(registry, 'proxyctl_sync_proxy_rules_iptables_rules', { family: 'ipv6' })).to.equal(9);
    expect(await value(registry, 'proxyctl_sync_proxy_rules_iptables_rules', { family: 'ipv4' })).to.equal(undefined);
  });

  it('counters and the last-sync timestamp', async function () {
    const { metrics, registry } = createMetrics();
    metrics.syncFailed();
    metrics.syncFailed();
    metrics.syncSucceeded(1_700_000_000.5);
    metrics.nodePortBindFailed();
    metrics.conntrackEntriesDeleted(3);
    metrics.conntrackEntriesDeleted(0);
    metrics.healthzServed('healthz', 503);
    expect(await value(registry, 'proxyctl_sync_proxy_rules_failures_total')).to.equal(2);
    expect(await value(registry, 'proxyctl_sync_proxy_rules_last_timestamp_seconds')).to.equal(1_700_000_000.5);
    expect(await value(registry, 'proxyctl_nodeport_bind_failures_total')).to.equal(1);
    expect(await value(registry, 'proxyctl_conntrack_cleanup_entries_total')).to.equal(3);
    expect(await value(registry, 'proxyctl_proxy_healthz_total', { endpoint: 'healthz', code: '503' })).to.equal(1);
  });

  it('noopMetrics has every method and does nothing', function () {
    const noop = noopMetrics();
    expect(Object.keys(noop).sort()).to.deep.equal(Object.keys(createMetrics().metrics).sort());
    noop.observeSync('full', 1);
    noop.setRuleCounts({ family: 'ipv4', chains: 1 });
  });

  describe('programmingLatencySeconds', function () {
    const now = Date.parse('2025-01-01T00:01:00Z');
    const cases: [string, string | undefined, number | undefined, number | undefined][] = [
      ['RFC 3339 trigger time', '2025-01-01T00:00:00Z', undefined, 60],
      ['fractional seconds', '2025-01-01T00:00:59.750Z', undefined, 0.25],
      ['missing annotation', undefined, undefined, undefined],
      ['unparsable annotation', 'yesterday', undefined, undefined],
      ['change before this process started', '2025-01-01T00:00:00Z', Date.parse('2025-01-01T00:00:30Z'), undefined],
      ['change after start', '2025-01-01T00:00:40Z', Date.parse('2025-01-01T00:00:30Z'), 20],
      ['clock skew (future) clamps to 0', '2025-01-01T00:02:00Z', undefined, 0],
    ];
    for (const [name, trigger, started, want] of cases) {
      it(name, function () {
        expect(programmingLatencySeconds(trigger, now, started)).to.equal(want);
      });
    }
  });
});

describe('process metrics', () => {
  it('exports resident memory, CPU and heap figures of the daemon process', async () => {
    const { registry } = createMetrics();
    const text = await registry.metrics();
    const rss = Number(/^process_resident_memory_bytes (\d+)/m.exec(text)?.[1]);
    expect(rss).to.be.greaterThan(10 * 1024 * 1024);
    expect(text).to.match(/^process_cpu_seconds_total \d/m);
    expect(text).to.match(/^nodejs_heap_size_used_bytes \d/m);
  });
});
