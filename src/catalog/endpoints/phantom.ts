/**
 * TS-only phantom routes (docs/fleet.md §3.8, §7.1): modal-client.ts maps them to ryla-qwen-image and
 * ModalJobRunner.submitQwenFaceSwap / submitQwenCharacterScene call them, but no handler defines
 * them, so the deployed app's FastAPI answers 404 {"detail":"Not Found"} (inferred).
 */
import { z } from 'zod';
import type { DocDrift, EndpointEntry } from '../types.ts';
import { pngUnderJpeg, routeRemoved404 } from './shared.ts';

const DRIFT_PHANTOM: DocDrift = {
  topic: 'route exists',
  docs: 'ENDPOINT_APP_MAP in libs/business/src/services/modal-client.ts maps it to ryla-qwen-image',
  code: 'no handler defines it → 404',
};

const CLIENT = 'libs/business/src/services/modal-client.ts';
const RUNNER = 'libs/business/src/services/modal-job-runner.ts';

function phantom(path: string, title: string, listedBy: string[]): EndpointEntry {
  return {
    id: path.slice(1),
    app: 'ryla-qwen-image',
    path,
    method: 'POST',
    title,
    tags: ['image', 'phantom'],
    lifecycle: 'removed',
    lifecycleNote: 'Never implemented: exists only in the TS client',
    gpu: 'L40S',
    timing: { measured: [], fleetClientTimeoutMs: 180_000 },
    request: z.looseObject({}),
    sample: { prompt: 'a portrait photo', reference_image: { $fixture: 'face:astronaut' } },
    output: pngUnderJpeg({ kind: 'none' }, 1),
    errors: [routeRemoved404('no handler; FastAPI 404 on the deployed ryla-qwen-image', 'no @fastapi.post in apps/modal/handlers/qwen_image.py')],
    headers: { cost: 'dropped' },
    drift: [DRIFT_PHANTOM],
    stillListedBy: listedBy,
    source: 'libs/business/src/services/modal-client.ts',
  };
}

export const PHANTOM_ENDPOINTS: EndpointEntry[] = [
  phantom('/qwen-faceswap', 'Qwen face swap (TS-only phantom)', [`${CLIENT}:31 (ENDPOINT_APP_MAP)`, `${RUNNER}:182 (submitQwenFaceSwap)`]),
  phantom('/qwen-faceswap-fast', 'Qwen fast face swap (TS-only phantom)', [`${CLIENT}:32 (ENDPOINT_APP_MAP)`, `${RUNNER}:182 (submitQwenFaceSwap)`]),
  phantom('/qwen-character-scene', 'Qwen character scene (TS-only phantom)', [`${CLIENT}:33 (ENDPOINT_APP_MAP)`, `${RUNNER}:251 (submitQwenCharacterScene)`]),
];
