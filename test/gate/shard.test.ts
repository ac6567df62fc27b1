/**
 * `gate --shard i/n` over 4 shards + `report merge` against the emulator: the merged report has the
 * unsharded gate's verdict for every endpoint, its summary, known defects, waiver findings and exit
 * code — with waived, failing and removed routes in the selection, an unused waiver and an expired
 * one, which the shards leave to the merge.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../probes/helpers.ts';
import { genprobe } from './helpers.ts';

const ONLY = 'flux,loras,debug/test,flux-instantid,sdxl-turbo,z-image-danrisi,wan2,qwen-faceswap,image-faceswap,z-image-lora';

// Waives PNG-as-JPEG and the dropped cost headers (waived endpoints), not the fleet's 5xx on bad
// prompts (failing endpoints); one waiver nothing needs any more and one expired.
const WAIVERS = `waivers:
  - endpoint: "*"
    check: declared-type
    finding: png-as-jpeg
    reason: ComfyUI SaveImage writes PNG under image/jpeg
    expires: "2099-12-31"
  - endpoint: "*"
    check: cost-headers
    finding: cost-headers-dropped
    reason: the case-sensitive header copy loop drops them
    expires: "2099-12-31"
  - endpoint: "*"
    check: doc-drift
    reason: removed routes are still listed in the docs
    expires: "2099-12-31"
  - endpoint: loras
    check: status
    reason: a waiver nothing needs any more (loras answers 200)
    expires: "2099-12-31"
  - endpoint: wan2
    check: route-broken
    reason: an expired waiver must fail the merged gate
    expires: "2020-01-01"
`;

let emu: Awaited<ReturnType<typeof startEmulator>>;
let dir: string;

beforeAll(async () => {
  emu = await startEmulator(0.01);
  dir = mkdtempSync(path.join(tmpdir(), 'genprobe-shard-'));
  writeFileSync(path.join(dir, 'waivers.yaml'), WAIVERS);
});
afterAll(async () => {
  await emu?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function gate(name: string, extra: string[]) {
  const cwd = path.join(dir, name);
  mkdirSync(cwd, { recursive: true });
  await emu.control('/reset', {});
  const json = path.join(cwd, 'report.json');
  const run = await genprobe(['gate', '--target', `${emu.url}/{app}`, '--time-scale', '0.01', '--no-face', '--waivers', path.join(dir, 'waivers.yaml'), '--only', ONLY, '--report', `json=${json}`, ...extra], { cwd, env: { CI: '' } });
  return { ...run, json, report: JSON.parse(readFileSync(json, 'utf8')) };
}

const verdicts = (r: { endpoints: { id: string; verdict: string }[] }) => r.endpoints.map((e) => [e.id, e.verdict]);
const findings = (r: { waivers: { finding: string; waiver: { endpoint: string; check: string } }[] }) => r.waivers.map((w) => `${w.finding}: ${w.waiver.endpoint} / ${w.waiver.check}`).sort();

describe('gate --shard + report merge', () => {
  it('4 shards merged equal the unsharded gate, verdict by verdict', async () => {
    const full = await gate('full', []);
    expect(full.code, full.stdout + full.stderr).toBe(1);
    const v = Object.fromEntries(verdicts(full.report));
    // The selection covers what the merge must keep apart.
    expect(Object.values(v)).toEqual(expect.arrayContaining(['pass', 'waived', 'fail']));
    expect(findings(full.report)).toEqual(['expired: wan2 / route-broken', 'no-longer-needed: loras / status']);

    const shards = [];
    for (let i = 1; i <= 4; i++) shards.push(await gate(`shard-${i}`, ['--shard', `${i}/4`]));
    const sizes = shards.map((s) => s.report.endpoints.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10);
    expect(sizes.filter((n) => n > 0).length).toBeGreaterThan(1);
    for (const s of shards) {
      // A shard does not judge waivers: it saw only part of what they cover.
      expect(s.report.waivers).toEqual([]);
      expect([...s.report.shard.endpoints].sort()).toEqual(s.report.endpoints.map((e: { id: string }) => e.id).sort());
      expect(s.code).toBe(s.report.endpoints.some((e: { verdict: string }) => e.verdict === 'fail') ? 1 : 0);
    }

    const out = path.join(dir, 'merged');
    const merge = await genprobe(['report', 'merge', ...shards.map((s) => s.json).reverse(), '--report', `json=${out}/r.json,junit=${out}/r.xml,md=${out}/r.md`]);
    expect(merge.code, merge.stdout + merge.stderr).toBe(full.code);
    const merged = JSON.parse(readFileSync(path.join(out, 'r.json'), 'utf8'));
    expect(verdicts(merged)).toEqual(verdicts(full.report));
    expect(merged.summary).toEqual(full.report.summary);
    expect(findings(merged)).toEqual(findings(full.report));
    expect(merged.knownDefects).toEqual(full.report.knownDefects);
    expect(merged.exitCode).toBe(full.report.exitCode);
    expect(readFileSync(path.join(out, 'r.xml'), 'utf8')).toContain('<testsuite');
    expect(readFileSync(path.join(out, 'r.md'), 'utf8')).toContain('expired');

    // A missing shard is refused by name, never merged into a smaller green report.
    const partial = await genprobe(['report', 'merge', shards[0].json, shards[1].json, shards[2].json]);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toContain('missing shard(s) 4/4');
  }, 400_000);
});
