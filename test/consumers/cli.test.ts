/**
 * The consumer commands end to end: `consumers import`, `consumers verify --static` (the README's
 * findings table, the gate's report formats, exit codes), `consumers verify --live --emulator
 * --drift …`, `inventory`, and `gate --consumers`.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { genprobe, ROOT, xmlProblem } from '../gate/helpers.ts';

const STUDIO = 'fixtures/consumers/studio-api.json';
const tmp = () => mkdtempSync(path.join(tmpdir(), 'genprobe-consumers-'));

/** A consumer that matches the catalog: no findings statically or live. */
function consistentFile(dir: string): string {
  const file = path.join(dir, 'ok.json');
  const reads = { body: 'binary', headers: ['content-type'] };
  const img = { $file: path.relative(dir, path.join(ROOT, 'fixtures/faces/astronaut.png')) };
  writeFileSync(
    file,
    JSON.stringify({
      schemaVersion: 1,
      consumers: [
        {
          name: 'ok',
          calls: [
            { method: 'flux', app: 'ryla-flux', path: '/flux', httpMethod: 'POST', fields: { prompt: { type: 'string', required: true } }, example: { prompt: 'a cat' }, reads, timeoutMs: 600_000 },
            { method: 'i2v', app: 'ryla-wan26', path: '/wan2.6-i2v', httpMethod: 'POST', fields: { prompt: { type: 'string', required: true }, reference_image: { type: 'string', required: true, media: true } }, example: { prompt: 'smile', reference_image: img }, reads, timeoutMs: 600_000 },
          ],
        },
      ],
    }),
  );
  return file;
}

describe('genprobe consumers', () => {
  it('verify --static on the studio contract prints the findings table and fails (exit 1), with JSON/JUnit/Markdown reports', async () => {
    const dir = tmp();
    const r = await genprobe(['consumers', 'verify', STUDIO, '--static', '--report', `json=${dir}/r.json,junit=${dir}/r.xml,md=${dir}/r.md`], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/consumer\s+method\s+route\s+finding\s+field\s+detail/);
    expect(r.stdout).toMatch(/✗ {2}studio-api {2}wan26R2V +\/wan2\.6-r2v +field-missing +reference_videos/);
    expect(r.stdout).toMatch(/✗ {2}studio-api {2}sdxlTurbo +\/sdxl-turbo +route-missing/);
    expect(r.stdout).toMatch(/✗ {2}studio-api {2}fluxPulid +\/flux-pulid +field-unknown +pulid_strength/);
    expect(r.stdout).toMatch(/consumers verify \(static\) FAILED: 14 of 33 calls would break, 1 with warnings, 18 waived/);
    // The README's findings table is real output: every row it shows is a line of this run.
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block = readme.slice(readme.indexOf('$ npx genprobe consumers verify fixtures/consumers/studio-api.json --static'));
    const shown = block.slice(0, block.indexOf('```')).split('\n').slice(1).filter((l) => l && l !== '…');
    const lines = new Set(r.stdout.split('\n').map((l) => l.replace(/ in [\d.]+ s$/, '')));
    expect(shown.length).toBeGreaterThan(10);
    expect(shown.map((l) => l.replace(/ in [\d.]+ s$/, '')).filter((l) => !lines.has(l))).toEqual([]);
    const json = JSON.parse(readFileSync(`${dir}/r.json`, 'utf8')) as { schemaVersion: number; exitCode: number; endpoints: Array<{ id: string; verdict: string }> };
    expect(json.schemaVersion).toBe(1);
    expect(json.exitCode).toBe(1);
    expect(json.endpoints.find((e) => e.id === 'studio-api.wan26R2V')?.verdict).toBe('fail');
    expect(xmlProblem(readFileSync(`${dir}/r.xml`, 'utf8'))).toBeNull();
    expect(readFileSync(`${dir}/r.md`, 'utf8')).toContain('`/wan2.6-r2v`');
  });

  it('a consistent file passes (exit 0); a bad file or flag is exit 2 with the reason', async () => {
    const dir = tmp();
    const ok = await genprobe(['consumers', 'verify', consistentFile(dir)], { timeoutMs: 120_000 });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('no findings');
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ schemaVersion: 1, consumers: [{ name: 'x', calls: [{ method: 'm', app: 'ryla-flux', path: 'flux', httpMethod: 'PUT', reads: { body: 'binary' }, timeoutMs: 1 }] }] }));
    const bad = await genprobe(['consumers', 'verify', path.join(dir, 'bad.json')], { timeoutMs: 60_000 });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('consumers.0.calls.0.path: must start with /');
    expect(bad.stderr).toContain('consumers.0.calls.0.httpMethod');
    const flag = await genprobe(['consumers', 'verify', STUDIO, '--generate'], { timeoutMs: 60_000 });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('need --live');
  });

  it('import writes the contract and says what it could not resolve', async () => {
    const dir = tmp();
    const out = path.join(dir, 'studio.json');
    const r = await genprobe(['consumers', 'import', '--ts', 'test/consumers/clients/studio-modal-client.ts', '--name', 'studio-api', '--out', out], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('consumer studio-api: 33 calls');
    expect(r.stdout).toContain('zImageInstantId() throws instead of calling an endpoint');
    const written = JSON.parse(readFileSync(out, 'utf8')) as { consumers: Array<{ calls: Array<{ method: string; example: Record<string, unknown> }> }> };
    // $file references are relative to where the file is written.
    expect(written.consumers[0].calls.find((c) => c.method === 'wan26R2V')?.example.reference_video).toEqual({ $file: path.relative(dir, path.join(ROOT, 'fixtures/media/portrait.mp4')) });
  });

  it('verify --live --emulator --drift field-renamed names the method, route and new field (exit 1); healthy: exit 0', async () => {
    const file = consistentFile(tmp());
    const healthy = await genprobe(['consumers', 'verify', file, '--live', '--emulator'], { timeoutMs: 180_000 });
    expect(healthy.code, healthy.stdout + healthy.stderr).toBe(0);
    const r = await genprobe(['consumers', 'verify', file, '--live', '--emulator', '--drift', 'field-renamed:ryla-wan26/wan2.6-i2v:reference_image=reference_images'], { timeoutMs: 180_000 });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/✗ {2}ok +i2v +\/wan2\.6-i2v +field-missing +reference_images/);
  });

  it('inventory --emulator --drift route-removed: the catalogued route is reported unregistered (exit 1)', async () => {
    const r = await genprobe(['inventory', '--emulator', '--drift', 'route-removed:ryla-flux/flux-dev'], { timeoutMs: 180_000 });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/✗ route-unregistered +ryla-flux +\/flux-dev /);
  });

  it('gate --consumers fails on the studio contract and passes with a consistent one', async () => {
    const bad = await genprobe(['gate', '--emulator', '--only', 'flux', '--no-face', '--consumers', STUDIO], { timeoutMs: 240_000 });
    expect(bad.code, bad.stdout + bad.stderr).toBe(1);
    expect(bad.stdout).toContain('studio-api.wan26R2V');
    const ok = await genprobe(['gate', '--emulator', '--only', 'flux', '--no-face', '--consumers', consistentFile(tmp())], { timeoutMs: 240_000 });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/✓ ok\.flux/);
  });

  it('a waivers file waives one consumer finding by code and field; an expired one fails the run', async () => {
    const dir = tmp();
    const file = path.join(dir, 'pulid.json');
    const img = { $file: path.relative(dir, path.join(ROOT, 'fixtures/faces/astronaut.png')) };
    writeFileSync(file, JSON.stringify({ schemaVersion: 1, consumers: [{ name: 'studio-api', calls: [{ method: 'generateFluxPuLID', app: 'ryla-instantid', path: '/flux-pulid', httpMethod: 'POST', fields: { prompt: { type: 'string', required: true }, reference_image: { type: 'string', required: true, media: true }, pulid_strength: { type: 'number', required: false } }, example: { prompt: 'x', reference_image: img }, reads: { body: 'binary', headers: ['x-cost-usd'] }, timeoutMs: 600_000 }] }] }));
    const waiver = (expires: string) => `waivers:\n  - endpoint: "studio-api.generateFluxPuLID"\n    check: consumer-contract\n    finding: { code: field-unknown, params: { field: pulid_strength } }\n    reason: the client's PuLID names are fixed in the next release\n    expires: "${expires}"\n`;
    writeFileSync(path.join(dir, 'live.yaml'), waiver('2099-12-31'));
    const waived = await genprobe(['consumers', 'verify', file, '--waivers', path.join(dir, 'live.yaml')], { timeoutMs: 60_000 });
    expect(waived.code, waived.stdout + waived.stderr).toBe(0);
    expect(waived.stdout).toMatch(/~ {2}studio-api {2}generateFluxPuLID +\/flux-pulid +field-unknown +pulid_strength/);
    writeFileSync(path.join(dir, 'old.yaml'), waiver('2020-01-01'));
    const expired = await genprobe(['consumers', 'verify', file, '--waivers', path.join(dir, 'old.yaml')], { timeoutMs: 60_000 });
    expect(expired.code).toBe(1);
    expect(expired.stdout).toContain('waiver expired');
  });
});
