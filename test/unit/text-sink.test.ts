import { expect } from 'chai';
import { joinSinks, TextSink } from '../../src/backends/iptables/text-sink.js';

describe('TextSink', () => {
  it('keeps every line, in order, across flushes and buffer growth, and joins sinks in order', () => {
    const a = new TextSink();
    const b = new TextSink();
    const lines = Array.from({ length: 20_000 }, (_, i) => `-A PXC-SVC-X -p tcp -j DNAT --to-destination 10.0.${i >> 8}.${i & 255}:8080`);
    for (const l of lines) a.line(l);
    b.line('COMMIT');
    expect(joinSinks([a, b])).to.equal(lines.join('\n') + '\nCOMMIT\n');
  });

  it('writes non-ASCII text intact', () => {
    const s = new TextSink();
    s.line('-m comment --comment "café ☕"');
    expect(joinSinks([s])).to.equal('-m comment --comment "café ☕"\n');
  });

  it('an empty sink adds nothing', () => {
    expect(joinSinks([new TextSink(), new TextSink()])).to.equal('');
  });
});
