import { expect } from 'chai';
import { ElementIndex } from '../../src/backends/nftables/element-index.js';
import { ENDPOINT_MAPS, nodeElements, serviceElements } from '../../src/backends/nftables/elements.js';
import { familyTable, NODE_OWNER, nftFamily, renderNftables } from '../../src/backends/nftables/render.js';
import { tablesText } from '../../src/backends/nftables/text.js';
import { convertObjects, type SourcedObject } from '../../src/model/convert.js';
import { buildNodeContext } from '../../src/model/context.js';
import { planServices } from '../../src/proxy/plan.js';
import type { ProxyPlan } from '../../src/proxy/plan-types.js';
import { NODES, service, slice } from './fixtures.js';

/** The render as the daemon's engine builds it: every element, endpoint maps included, through the index. */
function throughIndex(plan: ProxyPlan): string {
  const tables = plan.families.map((fp) => {
    const index = new ElementIndex();
    index.load(NODE_OWNER, nodeElements(fp));
    for (const p of fp.ports) index.load(p.id, serviceElements(p, fp));
    return familyTable(nftFamily(fp), 'node-a', fp, index);
  });
  return tablesText(tables);
}

function plan(objects: SourcedObject[]): ProxyPlan {
  const { state } = convertObjects(objects);
  const { ctx } = buildNodeContext({ nodeName: 'node-a', clusterCIDRs: ['10.244.0.0/16'] }, state);
  return planServices(state, ctx);
}

/**
 * 40 services with 1–4 endpoints, NodePorts, externalIPs and ETP Local; `shared` of them claim one external IP.
 * Every fifth service also selects the previous one's pods: their local addresses (hairpin) have two owners.
 */
function cluster(shared: number): SourcedObject[] {
  const objects: SourcedObject[] = [...NODES];
  const pods = (i: number) => Array.from({ length: 1 + (i % 4) }, (_, j) => ({ ip: `10.244.${j % 2}.${10 + i}`, node: j % 2 ? 'node-b' : 'node-a' }));
  for (let i = 0; i < 40; i++) {
    const externalIPs = i < shared ? ['203.0.113.7'] : [`203.0.113.${100 + i}`];
    const local = i % 3 === 0 ? { externalTrafficPolicy: 'Local' } : {};
    objects.push(service({ name: `s${i}`, clusterIP: `10.96.1.${i}`, type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30000 + i }], extra: { externalIPs, ...local } }));
    objects.push(slice(`s${i}`, i % 5 === 4 ? [...pods(i - 1), ...pods(i)] : pods(i)));
  }
  return objects;
}

describe('nftables endpoint maps and hairpin set outside the element index', () => {
  it('the render prints exactly what the index would hold, with and without colliding service keys', () => {
    for (const shared of [0, 3]) {
      const p = plan(cluster(shared));
      const rendered = tablesText(renderNftables(p, 'node-a').tables);
      expect(rendered, `shared=${shared}`).to.equal(throughIndex(p));
      if (shared) expect(rendered).to.contain('203.0.113.7 . tcp . 80 . 0 : ').and.to.contain('203.0.113.7 . tcp . 80 . 1 : ');
      expect(rendered.match(/10\.244\.0\.13 \. 10\.244\.0\.13/g), 'a hairpin address of two services, once').to.have.length(1);
    }
  });

  it('covers every map the endpoint builder fills', () => {
    const p = plan(cluster(0));
    const sets = new Set(p.families.flatMap((fp) => fp.ports.flatMap((port) => Object.keys(serviceElements(port, fp)))));
    for (const set of ENDPOINT_MAPS) expect(sets, set).to.include(set);
  });
});
