import { expect } from 'chai';
import { HealthCheckServers, healthCheckAnswer, type HealthCheckService } from '../../src/daemon/healthcheck-nodeports.js';
import { createMetrics } from '../../src/daemon/metrics.js';
import { freePorts, get, occupyTcp, recordingLog } from './helpers.js';

const HOST = '127.0.0.1';

async function probe(port: number): Promise<{ status: number; body: unknown; weight: string | null } | 'refused'> {
  try {
    const res = await get(`http://${HOST}:${port}/`);
    return { status: res.status, body: await res.json(), weight: res.headers.get('x-load-balancing-endpoint-weight') };
  } catch {
    return 'refused';
  }
}

describe('daemon/healthcheck-nodeports', function () {
  describe('healthCheckAnswer', function () {
    const svc = { namespace: 'ns', name: 'n', port: 30000, localEndpoints: 2 };
    it('is kube-proxy\'s body byte for byte', function () {
      expect(healthCheckAnswer(svc, true).body).to.equal('{\n\t"service": {\n\t\t"namespace": "ns",\n\t\t"name": "n"\n\t},\n\t"localEndpoints": 2,\n\t"serviceProxyHealthy": true\n}');
    });
    const cases: [string, number, boolean, 200 | 503][] = [
      ['local endpoints, proxy healthy', 2, true, 200],
      ['no local endpoints', 0, true, 503],
      ['local endpoints but proxy unhealthy', 3, false, 503],
      ['nothing', 0, false, 503],
    ];
    for (const [name, localEndpoints, healthy, status] of cases) {
      it(`${name} -> ${status}`, function () {
        const answer = healthCheckAnswer({ ...svc, localEndpoints }, healthy);
        expect(answer.status).to.equal(status);
        expect(answer.headers['X-Load-Balancing-Endpoint-Weight']).to.equal(String(localEndpoints));
        expect(answer.headers['Content-Type']).to.equal('application/json');
      });
    }
  });

  describe('HealthCheckServers', function () {
    let servers: HealthCheckServers;
    let proxyHealthy: boolean;
    let log: ReturnType<typeof recordingLog>;
    let created: ReturnType<typeof createMetrics>;
    let ports: number[];

    beforeEach(async function () {
      proxyHealthy = true;
      log = recordingLog();
      created = createMetrics();
      servers = new HealthCheckServers({ log: log.log, metrics: created.metrics, proxyHealthy: () => proxyHealthy, bindAddresses: [HOST] });
      ports = await freePorts(3);
    });
    afterEach(async function () {
      await servers.close();
    });

    const svc = (name: string, port: number, localEndpoints: number): HealthCheckService => ({ namespace: 'web', name, port, localEndpoints });

    it('answers 200 with local endpoints and 503 without, per port', async function () {
      const [a, b] = ports as [number, number];
      await servers.sync([svc('a', a, 2), svc('b', b, 0)]);
      expect(servers.ports()).to.deep.equal([a, b].sort((x, y) => x - y));
      expect(await probe(a)).to.deep.equal({ status: 200, weight: '2', body: { service: { namespace: 'web', name: 'a' }, localEndpoints: 2, serviceProxyHealthy: true } });
      expect(await probe(b)).to.deep.include({ status: 503, weight: '0' });
    });

    it('answers 503 everywhere while the proxy is unhealthy', async function () {
      const [a] = ports as [number];
      await servers.sync([svc('a', a, 1)]);
      proxyHealthy = false;
      expect(await probe(a)).to.deep.equal({ status: 503, weight: '1', body: { service: { namespace: 'web', name: 'a' }, localEndpoints: 1, serviceProxyHealthy: false } });
    });

    it('updates endpoint counts on the open listener, and closes ports no longer wanted', async function () {
      const [a, b, c] = ports as [number, number, number];
      await servers.sync([svc('a', a, 0), svc('b', b, 1)]);
      await servers.sync([svc('a', a, 4), svc('c', c, 1)]);
      expect(await probe(a)).to.deep.include({ status: 200, weight: '4' });
      expect(await probe(b)).to.equal('refused');
      expect(await probe(c)).to.deep.include({ status: 200 });
      expect(log.lines.filter((l) => l.msg === 'opened healthCheckNodePort').map((l) => l.meta.port)).to.have.members([a, b, c]);
      expect(log.lines.filter((l) => l.msg === 'closed healthCheckNodePort').map((l) => l.meta.port)).to.deep.equal([b]);
      await servers.sync([]);
      expect(servers.ports()).to.deep.equal([]);
      expect(await probe(a)).to.equal('refused');
    });

    it('a taken port is logged and counted once, the others open, and it opens once free', async function () {
      const [a, b] = ports as [number, number];
      const release = await occupyTcp(HOST, a);
      try {
        await servers.sync([svc('a', a, 1), svc('b', b, 1)]);
        await servers.sync([svc('a', a, 1), svc('b', b, 1)]);
        expect(servers.ports()).to.deep.equal([b]);
        expect(await probe(b)).to.deep.include({ status: 200 });
        const errors = log.lines.filter((l) => l.level === 'error');
        expect(errors).to.have.length(1);
        expect(errors[0]?.meta).to.deep.include({ port: a, service: 'web/a', code: 'EADDRINUSE' });
        expect(await created.registry.metrics()).to.include('proxyctl_nodeport_bind_failures_total 1');
      } finally {
        await release();
      }
      await servers.sync([svc('a', a, 1), svc('b', b, 1)]);
      expect(await probe(a)).to.deep.include({ status: 200 });
    });

    it('two services claiming one port: the first by name keeps it, the other is reported', async function () {
      const [a] = ports as [number];
      await servers.sync([svc('zeta', a, 1), svc('alpha', a, 0)]);
      expect(await probe(a)).to.deep.include({ status: 503 });
      expect(log.lines.find((l) => l.level === 'warn')?.meta).to.deep.include({ port: a, service: 'web/zeta', holder: 'web/alpha' });
    });

    it('close() releases every port, and later syncs do nothing', async function () {
      const [a] = ports as [number];
      await servers.sync([svc('a', a, 1)]);
      await servers.close();
      expect(await probe(a)).to.equal('refused');
      await servers.sync([svc('a', a, 1)]);
      expect(await probe(a)).to.equal('refused');
    });
  });
});
