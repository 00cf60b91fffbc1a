import { expect } from 'chai';
import { parseDuration } from '../../src/config/index.js';

describe('config: durations', () => {
  const cases: [string, number | undefined][] = [
    ['0', 0],
    ['0s', 0],
    ['30s', 30_000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['2h22m10s', 8_530_000],
    ['1m0s', 60_000],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    ['250ms', 250],
    ['20ms', 20],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['1000000ns', 1],
    [' 30s ', 30_000],
    ['30', undefined],
    ['', undefined],
    ['s', undefined],
    ['-30s', undefined],
    ['30 s', undefined],
    ['1d', undefined],
    ['1h 30m', undefined],
    ['30S', undefined],
    ['1.2.3s', undefined],
  ];
  for (const [text, ms] of cases) {
    it(`${JSON.stringify(text)} → ${ms === undefined ? 'invalid' : `${ms} ms`}`, () => {
      expect(parseDuration(text)).to.equal(ms);
    });
  }
});
