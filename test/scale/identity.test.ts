/**
 * Runner identity (issue 17.1): `runner.name` / `runner.region` (or serve --runner/--region) put
 * `runner` and `region` labels on every series of /metrics, including prom-client's process
 * metrics; names are bounded tokens, and a bad one is refused by key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEndpoint } from '../../src/catalog/index.ts';
import { parseConfig } from '../../src/config/index.ts';
import { genprobe } from '../gate/helpers.ts';
import { getText, startEmulator, startService } from '../probes/helpers.ts';

let emu: Awaited<ReturnType<typeof startEmulator>>;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.close();
});

const samples = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'));

describe('runner identity labels', () => {
  it('puts runner and region on every series of /metrics', async () => {
    const svc = await startService(emu.url, { runner: { name: 'prod-eu-1', region: 'eu-west' } });
    try {
      await svc.service.runner.probe(getEndpoint('flux'), 'health');
      const { text } = await getText(`${svc.url}/metrics`);
      const lines = samples(text);
      expect(lines.length).toBeGreaterThan(100);
      const unlabelled = lines.filter((l) => !/[{,]runner="prod-eu-1"[,}]/.test(l) || !/[{,]region="eu-west"[,}]/.test(l));
      expect(unlabelled).toEqual([]);
      expect(lines.some((l) => l.startsWith('process_cpu_user_seconds_total{'))).toBe(true);
      expect(lines.some((l) => l.startsWith('genprobe_probes_total{') && l.includes('endpoint="flux"'))).toBe(true);
    } finally {
      await svc.close();
    }
  }, 60_000);

  it('without an identity the series are today\'s (no runner/region label)', async () => {
    const svc = await startService(emu.url, {});
    try {
      const { text } = await getText(`${svc.url}/metrics`);
      expect(samples(text).filter((l) => /runner=|region=/.test(l))).toEqual([]);
    } finally {
      await svc.close();
    }
  }, 60_000);

  it('refuses unbounded or malformed names by key', () => {
    for (const bad of ['Prod EU', 'pod-7f9c8d6b5-x2x4z-and-more-than-32-chars', '-eu', 'eu_', '']) {
      expect(() => parseConfig({ runner: { region: bad } })).toThrow(/runner\.region: 1–32 characters/);
    }
    expect(() => parseConfig({ runner: { name: 'r1', zone: 'a' } })).toThrow(/runner/);
    expect(parseConfig({ runner: { name: 'prod-eu-1', region: 'eu-west' } }).runner).toEqual({ name: 'prod-eu-1', region: 'eu-west' });
  });

  it('serve --runner with a bad name exits 2 naming the key', async () => {
    const run = await genprobe(['serve', '--emulator', '--runner', 'Prod EU', '--port', '0'], { timeoutMs: 60_000 });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--runner\/--region[\s\S]*runner\.name: 1–32 characters/);
  }, 90_000);
});
