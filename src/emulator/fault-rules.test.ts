/** FaultRules' "1 in N" rules (`every`), alone and with a `times` budget. */
import { describe, expect, it } from 'vitest';
import { FaultRules } from './faults.ts';

const draw = (rules: FaultRules, n: number, path = '/flux') => Array.from({ length: n }, () => rules.take('ryla-flux', path).length > 0);

describe('FaultRules every: 1 in N matching requests', () => {
  it('strikes every third matching request, counting only requests the rule matches', () => {
    const rules = new FaultRules();
    rules.add({ match: { app: 'ryla-flux', path: '/flux' }, fault: 'app-5xx', every: 3 });
    expect(rules.take('ryla-flux', '/health')).toEqual([]);
    expect(draw(rules, 9)).toEqual([false, false, true, false, false, true, false, false, true]);
  });

  it('with times, the budget counts strikes, not requests', () => {
    const rules = new FaultRules();
    rules.add({ match: { path: '/flux' }, fault: 'wrong-dims', every: 2, times: 2 });
    expect(draw(rules, 6)).toEqual([false, true, false, true, false, false]);
    expect(rules.list()).toEqual([]);
  });

  it.each([0, -1, 1.5, '3'])('refuses every=%s', (every) => {
    expect(() => new FaultRules().add({ fault: 'app-5xx', every })).toThrow(/every must be a positive integer/);
  });
});
