import { expect } from 'chai';
import { compactHeap } from '../../src/daemon/compact-heap.js';

describe('compactHeap', () => {
  it('collects garbage at once: dropped objects no longer count as used heap', () => {
    compactHeap();
    const before = process.memoryUsage().heapUsed;
    let garbage: { i: number; s: string }[] | undefined = Array.from({ length: 500_000 }, (_, i) => ({ i, s: `item ${i}` }));
    const grown = process.memoryUsage().heapUsed - before;
    expect(grown).to.be.greaterThan(20e6);
    expect(garbage.length).to.equal(500_000);
    garbage = undefined;
    compactHeap();
    expect(process.memoryUsage().heapUsed - before).to.be.lessThan(grown / 10);
  });
});
