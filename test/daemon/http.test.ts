import { expect } from 'chai';
import { HealthState } from '../../src/daemon/health.js';
import { startOpsServers, type OpsServers } from '../../src/daemon/http.js';
import { parseHostPort } from '../../src/daemon/listen.js';
import { createMetrics } from '../../src/daemon/metrics.js';
import { freePort, get, ipv6LoopbackAvailable, occupyTcp, recordingLog } from './helpers.js';

describe('daemon/http', function () {
  describe('parseHostPort', function () {
    const good: [string, string, number][] = [
      ['0.0.0.0:10256', '0.0.0.0', 10256],
      ['127.0.0.1:10249', '127.0.0.1', 10249],
      ['[::1]:10249', '::1', 10249],
      ['[::]:0', '::', 0],
      [':10256', '', 10256],
    ];
    for (const [text, host, port] of good) {
      it(`parses ${text}`, function () {
        expect(parseHostPort(text)).to.deep.equal({ host, port });
      });
    }
    for (const bad of ['10256', '::1:10249', '[127.0.0.1]:1', 'localhost:80', '1.2.3.4:65536', '1.2.3.4:', '[::1]', '300.1.1.1:80']) {
      it(`rejects ${JSON.stringify(bad)}`, function () {
        expect(() => parseHostPort(bad)).to.throw(/invalid address/);
      });
    }
  });

  describe('startOpsServers', function () {
    let servers: OpsServers | undefined;
    let health: HealthState;
    let now: number;
    afterEach(async function () {
      await servers?.close();
      servers = undefined;
    });
    beforeEach(function () {
      now = Date.parse('2025-03-01T12:00:00Z');
      health = new HealthState({ unhealthyAfterSeconds: 10, clock: () => now });
    });

    it('serves /healthz and /livez on the healthz address, 503 before the first sync, 200 after', async function () {
      const { metrics, registry } = createMetrics();
      servers = await startOpsServers({ healthzBindAddress: '127.0.0.1:0', metricsBindAddress: '127.0.0.1:0', health, registry, metrics, log: recordingLog().log });
      const base = `http://127.0.0.1:${servers.healthzPort}`;
      let res = await get(`${base}/healthz`);
      expect(res.status).to.equal(503);
      expect(res.headers.get('content-type')).to.equal('application/json');
      expect(await res.json()).to.deep.include({ nodeEligible: true, lastUpdated: '0001-01-01T00:00:00Z' });
      health.syncSucceeded();
      res = await get(`${base}/healthz`);
      expect(res.status).to.equal(200);
      expect(await res.json()).to.deep.equal({ lastUpdated: new Date(now).toISOString(), currentTime: new Date(now).toISOString(), nodeEligible: true });
      res = await get(`${base}/livez`);
      expect(res.status).to.equal(200);
      expect(await res.json()).to.not.have.property('nodeEligible');
      expect((await get(`${base}/metrics`)).status).to.equal(404);
      expect(await registry.metrics()).to.include('proxyctl_proxy_healthz_total{endpoint="healthz",code="503"} 1');
    });

    it('serves /metrics in Prometheus text on the metrics address, plus /healthz and /proxyMode', async function () {
      const { metrics, registry } = createMetrics();
      metrics.observeSync('full', 0.25);
      servers = await startOpsServers({ healthzBindAddress: '127.0.0.1:0', metricsBindAddress: '127.0.0.1:0', health, registry, log: recordingLog().log, proxyMode: 'nftables' });
      expect(servers.metricsPort).to.be.a('number').and.not.equal(servers.healthzPort);
      const base = `http://127.0.0.1:${servers.metricsPort}`;
      const res = await get(`${base}/metrics`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect(text).to.include('# TYPE proxyctl_sync_proxy_rules_duration_seconds histogram');
      expect(text).to.include('proxyctl_sync_proxy_rules_duration_seconds_count{kind="full"} 1');
      const ping = await get(`${base}/healthz`);
      expect([ping.status, await ping.text()]).to.deep.equal([200, 'ok']);
      expect(await (await get(`${base}/proxyMode`)).text()).to.equal('nftables');
    });

    it('answers 404 for unknown paths, 405 for other methods, HEAD without a body', async function () {
      servers = await startOpsServers({ healthzBindAddress: '127.0.0.1:0', health, registry: createMetrics().registry, log: recordingLog().log });
      const base = `http://127.0.0.1:${servers.healthzPort}`;
      expect((await get(`${base}/nope`)).status).to.equal(404);
      expect((await get(`${base}/healthz`, { method: 'POST' })).status).to.equal(405);
      const head = await get(`${base}/healthz`, { method: 'HEAD' });
      expect([head.status, await head.text()]).to.deep.equal([503, '']);
      expect((await get(`${base}/healthz?verbose=1`)).status).to.equal(503);
    });

    it('leaves a server out when its address is empty', async function () {
      servers = await startOpsServers({ healthzBindAddress: '127.0.0.1:0', metricsBindAddress: '', health, registry: createMetrics().registry, log: recordingLog().log });
      expect(servers.metricsPort).to.equal(undefined);
      expect(servers.healthzPort).to.be.a('number');
    });

    it('listens on [::1]', async function () {
      if (!(await ipv6LoopbackAvailable())) this.skip();
      servers = await startOpsServers({ healthzBindAddress: '[::1]:0', health, registry: createMetrics().registry, log: recordingLog().log });
      expect((await get(`http://[::1]:${servers.healthzPort}/livez`)).status).to.equal(503);
    });

    it('close() stops both servers, keep-alive connections included', async function () {
      servers = await startOpsServers({ healthzBindAddress: '127.0.0.1:0', metricsBindAddress: '127.0.0.1:0', health, registry: createMetrics().registry, log: recordingLog().log });
      const { healthzPort, metricsPort } = servers;
      await get(`http://127.0.0.1:${healthzPort}/healthz`); // leaves a keep-alive connection
      const started = Date.now();
      await servers.close();
      servers = undefined;
      expect(Date.now() - started).to.be.below(2000);
      for (const port of [healthzPort, metricsPort]) {
        const error = await get(`http://127.0.0.1:${port}/healthz`).then(() => undefined, (e: Error) => e);
        expect(error, `port ${port} still answers`).to.be.instanceOf(Error);
      }
    });

    it('rejects when a port is taken, and closes the server it already opened', async function () {
      const port = await freePort();
      const release = await occupyTcp('127.0.0.1', port);
      try {
        const log = recordingLog();
        const error = await startOpsServers({ healthzBindAddress: '127.0.0.1:0', metricsBindAddress: `127.0.0.1:${port}`, health, registry: createMetrics().registry, log: log.log }).then(() => undefined, (e: Error) => e);
        expect(error?.message).to.match(/cannot listen for metrics on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
        const opened = log.lines.find((l) => l.msg === 'ops server listening');
        const address = String(opened?.meta.address);
        const healthzPort = Number(address.slice(address.lastIndexOf(':') + 1));
        const refused = await get(`http://127.0.0.1:${healthzPort}/healthz`).then(() => undefined, (e: Error) => e);
        expect(refused).to.be.instanceOf(Error);
      } finally {
        await release();
      }
    });
  });
});
