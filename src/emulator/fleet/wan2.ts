/** ryla-wan2 — apps/modal/handlers/wan2.py: Wan 2.1 text-to-video (the app is removed; the ryla-comfyui monolith still serves the route). */
import { animated, appSpec, handlerRoutes } from './builders.ts';
import { promptText } from './python.ts';
import type { AppSpec } from './types.ts';
import { wanVideoParams } from './wan-video.ts';

const route = handlerRoutes({ handlerFile: 'handlers/wan2.py' });

export const wan2 = route('/wan2', 20 /* Mono 19.8 s */, async (item, ctx) => {
  promptText(item);
  const video = wanVideoParams(item, ctx, { width: 832, height: 480, node: 'EmptyHunyuanLatentVideo', seed: 839327983272663 });
  return animated('webp-anim', video.dims, video.frames, video.fps, video.seed, 20, { type: 'scene' }, null);
});

/** `FastAPI(...)` at apps/modal/apps/wan2/app.py:118. */
const FASTAPI = { title: 'RYLA Wan2 API', description: 'Wan2.1 text-to-video generation' };

export const wan2App = (): AppSpec => appSpec('ryla-wan2', FASTAPI, [wan2]);
