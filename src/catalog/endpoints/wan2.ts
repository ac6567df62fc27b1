/**
 * ryla-wan2 — handlers/wan2.py (docs/fleet.md §3.8). Wan 2.1, documented removed: the app is not
 * deployed, so Modal itself answers 404 with a text body. The ryla-comfyui monolith still carries
 * a /wan2 handler (the 2026-01-28 "mono" run used it); the catalog follows the split app.
 */
import { z } from 'zod';
import type { EndpointEntry } from '../types.ts';
import { animatedWebp, int, routeRemoved404, seed } from './shared.ts';

export const WAN2_ENDPOINTS: EndpointEntry[] = [
  {
    id: 'wan2',
    app: 'ryla-wan2',
    path: '/wan2',
    method: 'POST',
    title: 'Wan 2.1 text-to-video (removed)',
    tags: ['video', 't2v'],
    lifecycle: 'removed',
    lifecycleNote: 'App not deployed → 404 text "modal-http: invalid function call"',
    gpu: 'L40S',
    timing: {
      measured: [{ source: 'mono', seconds: 19.8, date: '2026-01-28', note: 'on the ryla-comfyui monolith; 713 KB' }],
    },
    request: z.looseObject({
      prompt: z.string(),
      width: int().default(832),
      height: int().default(480),
      length: int().default(33),
      fps: int().default(16),
      steps: int().default(30),
      cfg: z.number().default(6.0),
      seed: seed().default(839327983272663),
      quality: int().default(90), // WebP quality
    }),
    sample: { prompt: 'a paper boat drifting on a calm lake', length: 17, seed: 42 },
    output: animatedWebp(832, 480, 'length', 33),
    // Documented removed and absent from the TS client: nobody is told it exists (no doc-drift);
    // only the fleet's own monitor scripts still poll the app.
    errors: [
      routeRemoved404(
        'Modal platform answer for an undeployed app (observed, SPLIT-APPS-TEST-RESULTS.json)',
        'apps/modal/docs/status/SPLIT-APPS-TEST-RESULTS.json',
      ),
    ],
    headers: { cost: 'dropped' },
    drift: [
      {
        topic: 'route exists',
        docs: 'monitor-deployments*.sh and test scripts still poll ryla-wan2',
        code: 'documented removed; app not deployed',
      },
    ],
    source: 'apps/modal/handlers/wan2.py',
  },
];
