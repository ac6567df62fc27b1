import { describe, expect, it } from 'vitest';
import { APPS } from '../catalog/index.ts';
import { warmUpProblem } from './warm-up.ts';

const answer = (status: number | null, body: unknown) => ({ status, failure: undefined, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) });

describe('warmUpProblem: what counts as a warm app (the gate and the probes judge alike)', () => {
  const health = APPS['ryla-flux'].health!;

  it("is warm for a 200 whose body names the app as the catalog's health says", () => {
    expect(warmUpProblem('ryla-flux', answer(200, health))).toBeUndefined();
  });

  it('is not warm for a 200 from something else (the gate used to count any 200)', () => {
    expect(warmUpProblem('ryla-flux', answer(200, '<html>edge</html>'))).toBe('GET /health body is not JSON');
    const [key] = Object.keys(health);
    expect(warmUpProblem('ryla-flux', answer(200, { ...health, [key!]: 'another-app' }))).toMatch(/^GET \/health body \w+ is not /);
  });

  it('is not warm for another status', () => {
    expect(warmUpProblem('ryla-flux', answer(503, ''))).toBe('GET /health answered 503');
    expect(warmUpProblem('ryla-flux', answer(null, ''))).toBe('GET /health answered nothing');
  });
});
