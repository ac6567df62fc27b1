/** LoRA routes check their LoRA first: skip with what to configure, or fail when a named LoRA is gone. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEndpoint } from '../../src/catalog/index.ts';
import { ModalClient } from '../../src/client/index.ts';
import { parseConfig } from '../../src/config/index.ts';
import { createEmulator } from '../../src/emulator/index.ts';
import { runGate } from '../../src/runner/gate.ts';
import { loraRequirement } from '../../src/runner/lora-precondition.ts';

describe('loraRequirement', () => {
  it('the probe LoRA unless the config names one; lora_name wins, with the app’s lora_id prefix', () => {
    expect(loraRequirement(getEndpoint('flux-lora'))).toMatchObject({ file: 'character-genprobe-probe.safetensors', probe: true, configured: false });
    expect(loraRequirement(getEndpoint('qwen-image-2512-lora'))).toMatchObject({ file: 'qwen-character-genprobe-probe.safetensors', probe: true });
    expect(loraRequirement(getEndpoint('wan2.6-lora'), { request: { lora_id: 'alice' } })).toMatchObject({ file: 'wan-character-alice.safetensors', probe: false, configured: true });
    expect(loraRequirement(getEndpoint('flux-lora'), { request: { lora_name: 'studio-style' } })).toMatchObject({ file: 'studio-style.safetensors', field: 'lora_name' });
    expect(loraRequirement(getEndpoint('flux'))).toBeNull();
  });
});

describe('LoRA precondition against a fleet without genprobe-probe', () => {
  let server: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    // No trained LoRAs at all: only the baked ones (flux-realism-lora, the z-image set).
    server = await createEmulator({ timeScale: 0.0005, seed: 3, loras: [], deployed: { 'ryla-lora': true } }).listen(0);
  });
  afterAll(async () => server?.close());

  const gate = async (endpoints: Record<string, unknown> = {}) => {
    const config = parseConfig({ target: { url: `${server.url}/{app}`, timeScale: 0.0005, overheadMs: 20_000 }, endpoints });
    const client = new ModalClient({ targetTemplate: config.target.url });
    return (await runGate({ config, only: ['flux-lora', 'qwen-image-2512-lora'], client })).report;
  };

  it('skips each LoRA route with the config key to set, and runs none of its negative cases', async () => {
    const report = await gate();
    for (const id of ['flux-lora', 'qwen-image-2512-lora']) {
      const ep = report.endpoints.find((e) => e.id === id)!;
      expect(ep.verdict, id).toBe('skipped');
      expect(ep.skipReason, id).toContain(`endpoints.${id}.request.lora_id`);
      expect(ep.cases, id).toEqual([]);
    }
    expect(report.endpoints.find((e) => e.id === 'flux-lora')!.skipReason).toContain('GET /loras');
  }, 60_000);

  it('a configured LoRA that is missing fails (GET /loras where the app has it, else the 404)', async () => {
    const report = await gate({ 'flux-lora': { request: { lora_id: 'alice' } }, 'qwen-image-2512-lora': { request: { lora_id: 'alice' } } });
    const flux = report.endpoints.find((e) => e.id === 'flux-lora')!;
    expect(flux.verdict).toBe('fail');
    expect(flux.checks.map((c) => c.message).join('\n')).toMatch(/LoRA missing: the configured lora_id "alice"/);
    const qwen = report.endpoints.find((e) => e.id === 'qwen-image-2512-lora')!;
    expect(qwen.verdict).toBe('fail');
    expect(qwen.cases.map((c) => c.kind)).toEqual(['happy']);
  }, 60_000);
});
