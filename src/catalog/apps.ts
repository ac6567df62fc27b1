/**
 * The Modal apps of the fleet (docs/fleet.md §1, §2.7). One record per app; endpoints point at these
 * by name. Function timeout 1800 s and scaledown_window 300 s are the same in every app.py.
 *
 * coldStartSec is the documented container start (ComfyUI launch + model load), §2.7:
 * flux "first inference ~1 min", qwen ~60 s, wan26 ~60 s, wan22 "2–3 min" (150 s, its enter hook
 * also sleeps 10 s instead of 5), every other app the general "2–5 minutes per app" (120 s, the
 * lower end: budgets add it to a warm budget that already carries 50 % headroom).
 *
 * Not listed: ryla-lora-training (functions only, no web endpoint; §1).
 */
import type { AppName, AppSpec } from './types.ts';

const FUNCTION_TIMEOUT_SEC = 1800;
const SCALEDOWN_WINDOW_SEC = 300;

function healthy(app: AppName): Record<string, string> {
  return { status: 'healthy', app };
}

export const APPS: Readonly<Record<AppName, AppSpec>> = Object.freeze({
  'ryla-flux': {
    name: 'ryla-flux',
    gpu: 'L40S',
    maxInputs: 5,
    functionTimeoutSec: FUNCTION_TIMEOUT_SEC,
    scaledownWindowSec: SCALEDOWN_WINDOW_SEC,
    health: healthy('ryla-flux'),
    coldStartSec: 60,
    deployed: 'yes',
    source: 'apps/modal/apps/flux/app.py',
    note: 'The RYLA API health-checks this app at boot with a 10 s timeout and disables Modal for the whole process if it is cold (§0.11). Its global error handler adds "path" to error bodies.',
  },
  'ryla-instantid': {
    name: 'ryla-instantid',
    gpu: 'L40S',
    maxInputs: 5,
    functionTimeoutSec: FUNCTION_TIMEOUT_SEC,
    scaledownWindowSec: SCALEDOWN_WINDOW_SEC,
    health: healthy('ryla-instantid'),
    coldStartSec: 120,
    deployed: 'yes',
    source: 'apps/modal/apps/instantid/app.py',
    note: 'Serves handlers/instantid.py, pulid_flux.py and ipadapter_faceid.py. /sdxl-turbo and /sdxl-lightning were deleted by e5a81e3.',
  },
  'ryla-qwen-image': {
    name: 'ryla-qwen-image',
    gpu: 'L40S',
    maxInputs: 5,
    functionTimeoutSec: FUNCTION_TIMEOUT_SEC,
    scaledownWindowSec: SCALEDOWN_WINDOW_SEC,
    health: healthy('ryla-qwen-image'),
    coldStartSec: 60,
    deployed: 'yes',
    source: 'apps/modal/apps/qwen-image/app.py',
    note: 'Serves handlers/qwen_image.py + qwen_edit.py; also the /batch-video-faceswap target of the wan faceswap routes.',
  },
  'ryla-qwen-edit': {
    name: 'ryla-qwen-edit',
    gpu: 'L40S',
    maxInputs: 5,
    functionTimeoutSec: FUNCTION_TIMEOUT_SEC,
    scaledownWindowSec: SCALEDOWN_WINDOW_SEC,
    health: healthy('ryla-qwen-edit'),
    coldStartSec: 60,
    deployed: 'unknown',
    source: 'apps/modal/apps/qwen-edit/app.py',
    note: 'Defines the same edit/inpaint routes as ryla-qwen-image; the mapping doc says it was merged into qwen-image, benchmark and quality scripts still call it. The catalog lists those routes once, under ryla-qwen-image.',
  },
  'ryla-z-image': {
    name: 'ryla-z-image',
    gpu: 'L40S',
    maxInputs: 5,
    functionTimeoutSec: FUNCTION_TIMEOUT_SEC,
    scaledownWindowSec: SCALEDOWN_WINDOW_SEC,
    health: healthy('ryla-z-image'),
    coldStartSec: 120,
    deployed: 'yes',
    source: 'apps/modal/apps/z-image/app.py',
  },
  'ryla-wan26': {
    name: 'ryla-wan26',
    gpu: 'L40S',
    maxInputs: 5,
    functionTimeoutSec: FUNCTION_TIMEOUT_SEC,
    scaledownWindowSec: SCALEDOWN_WINDOW_SEC,
    health: healthy('ryla-wan26'),
    coldStartSec: 60,
    deployed: 'yes',
    source: 'apps/modal/apps/wan26/app.py',
    note: 'The image may carry Wan 2.1 1.3B weights under the 2.6 names (fallback in apps/wan26/image.py).',
  },
  'ryla-wan22-i2v': {
    name: 'ryla-wan22-i2v',
    gpu: 'A100-80GB',
    maxInputs: 3,
    functionTimeoutSec: FUNCTION_TIMEOUT_SEC,
    scaledownWindowSec: SCALEDOWN_WINDOW_SEC,
    health: { status: 'healthy', app: 'ryla-wan22-i2v', version: 'v2' },
    coldStartSec: 150,
    deployed: 'yes',
    source: 'apps/modal/apps/wan22-i2v/app.py',
    note: 'Added 2026-02-04/05, answered on 2026-02-06. GET /health is the documented warm-up call (VIDEO-FACESWAP-ENDPOINTS.md).',
  },
  'ryla-seedvr2': {
    name: 'ryla-seedvr2',
    gpu: 'L40S',
    maxInputs: 5,
    functionTimeoutSec: FUNCTION_TIMEOUT_SEC,
    scaledownWindowSec: SCALEDOWN_WINDOW_SEC,
    health: healthy('ryla-seedvr2'),
    coldStartSec: 120,
    deployed: 'yes',
    source: 'apps/modal/apps/seedvr2/app.py',
  },
  'ryla-lora': {
    name: 'ryla-lora',
    gpu: 'L40S',
    maxInputs: 5,
    functionTimeoutSec: FUNCTION_TIMEOUT_SEC,
    scaledownWindowSec: SCALEDOWN_WINDOW_SEC,
    health: healthy('ryla-lora'),
    coldStartSec: 120,
    deployed: 'unknown',
    source: 'apps/modal/apps/lora/app.py',
    note: 'Not in the "8 deployed apps" list, and the workspace is at its 8 web-endpoint limit.',
  },
  'ryla-wan2': {
    name: 'ryla-wan2',
    gpu: 'L40S',
    maxInputs: 5,
    functionTimeoutSec: FUNCTION_TIMEOUT_SEC,
    scaledownWindowSec: SCALEDOWN_WINDOW_SEC,
    health: healthy('ryla-wan2'),
    coldStartSec: 120,
    deployed: 'removed',
    source: 'apps/modal/apps/wan2/app.py',
    note: 'Wan 2.1, documented removed: calls answer 404 text "modal-http: invalid function call".',
  },
  'ryla-comfyui': {
    name: 'ryla-comfyui',
    gpu: 'L40S',
    maxInputs: 5,
    functionTimeoutSec: FUNCTION_TIMEOUT_SEC,
    scaledownWindowSec: SCALEDOWN_WINDOW_SEC,
    health: null,
    coldStartSec: 120,
    deployed: 'yes',
    source: 'apps/modal/app.py',
    note: 'Legacy monolith: no /health (has GET /diagnostics/nodes), no CORS, plus a ui web_server. Routes /workflow and the monolith copies of flux/wan2/seedvr2 are not catalogued.',
  },
} satisfies Record<AppName, AppSpec>);
