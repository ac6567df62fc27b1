/**
 * ryla-seedvr2 — handlers/seedvr2.py + workflows/seedvr2_api.json (docs/fleet.md §3.7).
 * try/except route: statuses are picked by substring search of the error text (§0.7), seedvr2 also
 * maps "not found" → 404; bodies are `{"error","details","type"}`.
 */
import { z } from 'zod';
import type { EndpointEntry } from '../types.ts';
import { DRIFT_COST_HEADERS, badInput, int, media, seed } from './shared.ts';

const SOURCE = 'apps/modal/handlers/seedvr2.py';

export const SEEDVR2_ENDPOINTS: EndpointEntry[] = [
  {
    id: 'seedvr2',
    app: 'ryla-seedvr2',
    path: '/seedvr2',
    method: 'POST',
    title: 'SeedVR2 7B upscale (short side = resolution)',
    tags: ['image', 'upscale'],
    lifecycle: 'live',
    gpu: 'L40S',
    timing: {
      documentedSec: 208,
      measured: [
        { source: 'bench', seconds: 208, date: '2026-02-02', note: '1536 KB; run parameters uncertain' },
        { source: 'mono', seconds: 35.5, date: '2026-01-28', note: 'ryla-comfyui monolith; 1712 KB' },
        { source: 'api', seconds: 50.3, date: '2026-02-06', start: 'mixed', note: 'via RYLA API proxy, cold+warm mixed' },
        { source: 'set', seconds: 178.7, date: '2026-02-04', start: 'warm' },
      ],
      fleetClientTimeoutMs: 600_000,
    },
    documentedCostUsd: 0.113,
    request: z.looseObject({
      image: media(), // data URL or raw base64 (decode_base64 splits on the first ","); re-saved as PNG
      // As built, strings are int()'d and any string int() cannot parse ("fixed", "abc", "1440.5") is
      // silently replaced by the default — no error reaches the caller (seedvr2.py:194-224).
      resolution: z.union([int(), z.string()]).default(1080), // non-numeric string → 1080 (:195-204)
      seed: z.union([seed(), z.string()]).default(4105349922), // non-numeric string → 4105349922 (:207-212)
      max_resolution: z.union([int(), z.string()]).default(4000), // non-numeric string → 4000 (:215-219)
      max_resolution_2: z.union([int(), z.string()]).default(4000), // non-numeric string → 4000 (:220-224)
      // scale: sent by docs, upscaleSeedVR2({scale}) and the playground (scale: 2) — ignored
    }),
    // coffee is 600×400: 720 puts the short side above the input without paying for 1080p.
    sample: { image: { $fixture: 'scene:coffee' }, resolution: 720, seed: 42 },
    output: {
      kind: 'png',
      declaredType: 'image/png',
      // aspect preserved, long side capped by max_resolution (inferred)
      size: {
        kind: 'short-side',
        field: 'resolution',
        defaultValue: 1080,
        maxField: 'max_resolution',
        defaultMax: 4000,
        inputField: 'image',
      },
      minBytes: 50_000,
    },
    errors: [
      badInput(
        'missing image',
        { omit: ['image'] },
        'image',
        { status: [500], body: 'error-details-type', contains: "Missing 'image' field", source: `${SOURCE}:95,358-370` },
        'observed 2026-02-06',
      ),
      badInput('empty image', { override: { image: '' } }, 'image', {
        status: [500],
        body: 'error-details-type',
        contains: "Missing 'image' field",
        source: `${SOURCE}:95`,
      }),
      badInput(
        'image not an image',
        { override: { image: 'bm90IGFuIGltYWdlIGF0IGFsbA==' } }, // base64("not an image at all")
        'image',
        { status: [400, 500], body: 'error-details-type', contains: 'cannot identify image file', source: `${SOURCE}:115,360-366` },
        'ValueError("Invalid image format: …") → 500; the PIL text carries an object address, so "400" can appear in it and pick 400 (seedvr2.py:365); no 503 branch',
      ),
    ],
    headers: { cost: 'dropped' },
    drift: [
      DRIFT_COST_HEADERS,
      {
        topic: 'upscale parameter',
        docs: 'scale: 2, "2x upscaling" (docs, BENCHMARK-RESULTS.md, upscaleSeedVR2({scale}), playground)',
        code: 'resolution = output short side (default 1080); scale is ignored',
      },
    ],
    source: SOURCE,
  },
];
