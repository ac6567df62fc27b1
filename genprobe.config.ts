/**
 * genprobe's configuration for the studio's fleet (config as code, validated with zod: a wrong
 * field fails with its path). `genprobe gate --emulator` replaces the target with the bundled
 * emulator; everything else applies to both.
 */
import { defineConfig } from './src/config/index.ts';

export default defineConfig({
  target: {
    // https://{workspace}--{app}-comfyui-fastapi-app.modal.run, the fleet's URL scheme.
    url: 'https://{workspace}--{app}-comfyui-fastapi-app.modal.run',
    workspace: 'ryla',
  },
  endpoints: {
    // Routes that need a trained character LoRA: train one with id "genprobe-probe", or name yours.
    // 'qwen-image-2512-lora': { request: { lora_id: 'my-character' } },
    // 'wan2.6-lora': { request: { lora_id: 'my-character' } },
  },
  gate: {
    concurrency: 8,
    retryBudget: 4,
    waivers: 'waivers.yaml',
  },
  probes: {
    // health is a GET /health (it pays the cold start, so it doubles as warm-up); smoke is one real
    // generation at a small size with a fixed seed; full is the whole contract.
    schedules: [
      { match: '*', cron: '*/5 * * * *', kind: 'health' },
      { match: 'tag:cheap', cron: '0 * * * *', kind: 'smoke' },
      { match: 'tag:face', cron: '30 */6 * * *', kind: 'smoke' },
      { match: 'tag:video', cron: '15 3 * * *', kind: 'full' },
    ],
    budget: { dailyUsd: 3, monthlyUsd: 60 },
    warmUp: true,
  },
  server: {
    host: '127.0.0.1',
    port: 9464,
    // auth: { bearerTokenEnv: 'GENPROBE_TOKEN' },
  },
  usage: {
    databaseUrlEnv: 'GENPROBE_DATABASE_URL',
    windowSec: 86_400,
  },
  face: { embedder: 'human-faceres' },
});
