/**
 * ryla-instantid — apps/modal/handlers/instantid.py, pulid_flux.py and ipadapter_faceid.py: text to
 * image that keeps the face of a reference image.
 */
import type { ImageInfo } from '../media.ts';
import { StatusPyErr, type ComfyFailure } from '../pyerrors.ts';
import { appSpec, handlerRoutes, still } from './builders.ts';
import { comfyFloat, comfyInt, comfyPrompt, latentDims, seedParam } from './comfy.ts';
import { instantidReference, refImage } from './inputs.ts';
import { get, promptText, str } from './python.ts';
import type { AppSpec, Plan, RouteCtx } from './types.ts';

const instantidRoute = handlerRoutes({ handlerFile: 'handlers/instantid.py', via: 'api+infer', errorStyle: 'try-except' });
const pulidRoute = handlerRoutes({ handlerFile: 'handlers/pulid_flux.py', via: 'api' });
const ipadapterRoute = handlerRoutes({ handlerFile: 'handlers/ipadapter_faceid.py', via: 'api+infer', errorStyle: 'try-except' });

/** A face-reference request as read so far: the reference (or the ComfyUI failure it will cause), prompt, size, seed, steps. */
interface ReferenceRequest {
  ref: ImageInfo | ComfyFailure;
  prompt: string;
  dims: { width: number; height: number };
  seed: number;
  steps: number;
}

/** instantid.py and ipadapter_faceid.py read, in this order: reference, prompt, size (EmptyLatentImage), seed (42), steps on `sampler`. */
async function referenceRequest(item: Record<string, unknown>, ctx: RouteCtx, sampler: string): Promise<ReferenceRequest> {
  const ref = await instantidReference(item, 'reference_image is required');
  const prompt = promptText(item);
  const dims = latentDims(item, 1024, 1024, 'EmptyLatentImage');
  const seed = seedParam(item, 42, ctx, 2 ** 32 - 1);
  return { ref, prompt, dims, seed, steps: comfyInt(item, 'steps', 20, sampler, 1, 10000) };
}

/** The PNG with the reference's face; the reference is only opened (and fails) once the workflow runs. */
function referenceStill(r: ReferenceRequest, docTimeSec: number, cfg: number, model: string, costHeaders = false): Plan {
  const image = refImage(r.ref);
  return still('png', r.dims, r.seed, docTimeSec, { face: image.bytes, costHeaders, prompt: comfyPrompt({ seed: r.seed, steps: r.steps, cfg, ...r.dims, prompt: r.prompt, model, loadImage: 'reference.png' }) });
}

export const sdxlInstantid = instantidRoute('/sdxl-instantid', 29, async (item, ctx) => {
  const request = await referenceRequest(item, ctx, 'KSampler');
  const cfg = comfyFloat(item, 'cfg', 7.0, 'KSampler');
  comfyFloat(item, 'instantid_strength', 0.8, 'ApplyInstantID');
  return referenceStill(request, 29, cfg, str(get(item, 'sdxl_checkpoint', 'sd_xl_base_1.0.safetensors')));
});

/**
 * instantid.py:632-642 rewrites a shape-mismatch failure mentioning 2816 into this text with status
 * 501; the exception is the combined "Both API and infer methods failed" Exception (:435).
 */
const FLUX_INSTANTID_501 =
  "InstantID ControlNet incompatibility with Flux Dev detected. InstantID's ControlNet was designed for SDXL/1.5 models (CLIP-L only, 768 dim) " +
  'but Flux Dev uses T5XXL (2816 dim) + CLIP-L (768 dim). The ControlNet expects T5XXL embeddings but receives CLIP-L only, causing shape mismatch. ' +
  'Consider using IP-Adapter FaceID instead, which is designed for Flux models, or use SDXL model for InstantID workflows.';

export const fluxInstantid = instantidRoute('/flux-instantid', 29, async (item) => {
  const ref = await instantidReference(item, 'reference_image is required');
  promptText(item);
  latentDims(item, 1024, 1024, 'EmptyLatentImage');
  refImage(ref);
  throw new StatusPyErr(501, 'Exception', FLUX_INSTANTID_501, 12);
});

/** pulid_flux.py: the seed (random, 31 bits) is read before the prompt; the one route whose cost headers survive. */
const fluxPulid = pulidRoute('/flux-pulid', 83, async (item, ctx) => {
  const ref = await instantidReference(item, 'reference_image is required for PuLID Flux');
  const seed = seedParam(item, 'random', ctx, 2 ** 31 - 1);
  const prompt = promptText(item);
  const dims = latentDims(item, 1024, 1024, 'EmptySD3LatentImage');
  const steps = comfyInt(item, 'steps', 20, 'KSampler', 1, 10000);
  comfyFloat(item, 'pulid_weight', 0.9, 'ApplyPulidFlux');
  comfyFloat(item, 'guidance', 3.5, 'FluxGuidance');
  return referenceStill({ ref, prompt, dims, seed, steps }, 83, 1, 'flux1-dev.safetensors', true);
});

export const fluxIpadapter = ipadapterRoute('/flux-ipadapter-faceid', 60, async (item, ctx) => {
  const request = await referenceRequest(item, ctx, 'XlabsSampler');
  comfyFloat(item, 'ipadapter_strength', 0.8, 'ApplyFluxIPAdapter');
  const guidance = comfyFloat(item, 'guidance_scale', 3.5, 'XlabsSampler');
  return referenceStill(request, 60, guidance, 'flux1-dev.safetensors');
});

/** `FastAPI(...)` at apps/modal/apps/instantid/app.py:92. */
const FASTAPI = { title: 'RYLA InstantID API', description: 'Face consistency workflows (InstantID, IP-Adapter FaceID)' };

export const instantidApp = (): AppSpec => appSpec('ryla-instantid', FASTAPI, [sdxlInstantid, fluxInstantid, fluxPulid, fluxIpadapter]);
