import { expect } from 'chai';
import { HealthState } from '../../src/daemon/health.js';

const T0 = Date.parse('2025-03-01T12:00:00Z');

function setup(unhealthyAfterSeconds = 10): { health: HealthState; advance: (seconds: number) => void; now: () => string } {
  let now = T0;
  const health = new HealthState({ unhealthyAfterSeconds, clock: () => now });
  return { health, advance: (seconds) => void (now += seconds * 1000), now: () => new Date(now).toISOString() };
}

function body(text: string): Record<string, unknown> {
  return JSON.parse(text) as Record<string, unknown>;
}

describe('daemon/health', function () {
  it('is unhealthy until the first sync, reporting Go zero time as lastUpdated', function () {
    const { health, now } = setup();
    expect(health.isHealthy()).to.equal(false);
    const answer = health.healthz();
    expect(answer.status).to.equal(503);
    expect(body(answer.body)).to.deep.equal({ lastUpdated: '0001-01-01T00:00:00Z', currentTime: now(), nodeEligible: true });
  });

  it('after a sync: 200, and lastUpdated is the current time (kube-proxy compatibility)', function () {
    const { health, advance, now } = setup();
    health.syncSucceeded();
    advance(3600); // no changes queued: healthy however long ago the sync was
    const answer = health.healthz();
    expect(answer.status).to.equal(200);
    expect(body(answer.body)).to.deep.equal({ lastUpdated: now(), currentTime: now(), nodeEligible: true });
  });

  it('a queued change turns unhealthy once it waits unhealthyAfterSeconds, a sync heals it', function () {
    const { health, advance } = setup(10);
    health.syncSucceeded();
    health.queued();
    advance(9.999);
    expect(health.isHealthy()).to.equal(true);
    health.queued(); // a later change does not move the oldest queued time
    advance(0.001);
    expect(health.isHealthy()).to.equal(false);
    const answer = health.healthz();
    expect(answer.status).to.equal(503);
    expect(body(answer.body).lastUpdated).to.equal(new Date(T0).toISOString());
    health.syncSucceeded();
    expect(health.isHealthy()).to.equal(true);
  });

  it('failing syncs turn unhealthy after unhealthyAfterSeconds even with nothing queued', function () {
    const { health, advance } = setup(10);
    health.syncSucceeded();
    health.syncFailed();
    advance(5);
    health.syncFailed(); // keeps the first failure time
    advance(4);
    expect(health.isHealthy()).to.equal(true);
    advance(1);
    expect(health.isHealthy()).to.equal(false);
    health.syncSucceeded();
    expect(health.isHealthy()).to.equal(true);
  });

  it('a failed sync keeps the queued change queued', function () {
    const { health, advance } = setup(10);
    health.syncSucceeded();
    advance(100);
    health.queued();
    advance(8);
    health.syncFailed();
    advance(2);
    expect(health.isHealthy()).to.equal(false);
  });

  it('a first sync that never happens stays unhealthy, whatever is queued', function () {
    const { health, advance } = setup(10);
    health.queued();
    health.syncFailed();
    advance(1);
    expect(health.livez().status).to.equal(503);
  });

  it('node not eligible: /healthz 503 with nodeEligible false, /livez still 200', function () {
    const { health, now } = setup();
    health.syncSucceeded();
    health.setNodeEligible(false);
    const healthz = health.healthz();
    expect(healthz.status).to.equal(503);
    expect(body(healthz.body)).to.deep.equal({ lastUpdated: now(), currentTime: now(), nodeEligible: false });
    const livez = health.livez();
    expect(livez.status).to.equal(200);
    expect(body(livez.body)).to.deep.equal({ lastUpdated: now(), currentTime: now() });
    expect(health.isHealthy()).to.equal(true);
  });

  it('rejects a non-positive timeout', function () {
    expect(() => new HealthState({ unhealthyAfterSeconds: 0 })).to.throw(/unhealthyAfterSeconds/);
  });
});
