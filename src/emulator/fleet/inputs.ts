/**
 * The media fields of a request as the handlers save them: face references (instantid, pulid,
 * ipadapter), input images and videos written to ComfyUI's input/ (z-image, qwen, wan), and the
 * errors PIL and ComfyUI raise for what they cannot open.
 */
import { createHash } from 'node:crypto';
import { decodeDataUrlOrRaw, newInputName, openImage, probeVideo, pyB64decode, type ImageInfo, type VideoInfo } from '../media.ts';
import { comfyExecutionFailed, ComfyFailure, comfyQueueRefused, PyErr } from '../pyerrors.ts';
import { requirePresent, strField } from './python.ts';

/** `<_io.BytesIO object at 0x7f…>` as PIL names an in-memory file; no 0 digit, so no accidental "400"/"503". */
function bytesIoName(bytes: Buffer): string {
  const addr = createHash('sha1').update(bytes).digest('hex').replace(/[^1-9a-f]/g, 'e').slice(0, 12);
  return `<_io.BytesIO object at 0x7f${addr}>`;
}

/**
 * instantid / pulid / ipadapter `_save_reference_image` (instantid.py:189-224, pulid_flux.py:21-56,
 * ipadapter_faceid.py:22-57). The route tests key *presence* only (instantid.py:482,
 * pulid_flux.py:213, ipadapter_faceid.py:198); a value that does not start with `data:` is used as a
 * filename in ComfyUI's input/, so it fails only when ComfyUI runs the workflow — returned as the
 * ComfyFailure the route raises after building the workflow.
 */
export async function instantidReference(item: Record<string, unknown>, requiredDetail: string): Promise<ImageInfo | ComfyFailure> {
  requirePresent(item, 'reference_image', requiredDetail);
  const ref = strField(item.reference_image, 'startswith');
  if (!ref.startsWith('data:')) {
    // "" names input/ itself: os.path.exists passes LoadImage's validation, opening it fails at execution.
    if (ref === '') return comfyExecutionFailed('13', 'LoadImage', "IsADirectoryError: [Errno 21] Is a directory: '/root/comfy/ComfyUI/input/'");
    return comfyQueueRefused('13', 'LoadImage', 'custom_validation_failed', 'Custom validation failed for node', `image - Invalid image file: ${ref.slice(0, 80)}`);
  }
  return openDecoded(ref, 'reference.png');
}

/**
 * `base64.b64decode(value.split(",")[1] if "," in value else value)` then PIL `Image.open`, saved as
 * `name`; unreadable → `ValueError("Invalid image format: …")` (instantid.py:189-224, seedvr2.py:97-115).
 */
export async function openDecoded(value: string, name: string): Promise<ImageInfo> {
  const bytes = pyB64decode(value.includes(',') ? value.slice(value.indexOf(',') + 1) : value);
  try {
    return await openImage(bytes, name);
  } catch {
    throw new PyErr('ValueError', `Invalid image format: cannot identify image file ${bytesIoName(bytes)}`, 0, 'raise ValueError(f"Invalid image format: {e}")');
  }
}

/** The reference as an image, or the ComfyUI failure it causes once the workflow runs. */
export function refImage(ref: ImageInfo | ComfyFailure): ImageInfo {
  if (ref instanceof ComfyFailure) throw ref;
  return ref;
}

/**
 * z_image / qwen / wan `_save_*_to_input`: the handlers test key presence, then call
 * `value.startswith("data:")` (so a non-string is an AttributeError), write the bytes as-is and
 * ComfyUI/PIL fails to open an empty or garbage file ("cannot identify image file").
 */
function mediaValue(item: Record<string, unknown>, key: string): string {
  return strField(item[key], 'startswith');
}

/** z_image / qwen / wan `_save_*_to_input`: data URL or raw base64, written as-is, then opened. */
export async function inputImage(item: Record<string, unknown>, key: string, rawExt: 'png' | 'jpg'): Promise<ImageInfo> {
  const field = decodeDataUrlOrRaw(mediaValue(item, key));
  const ext = field.mime ? (field.mime.includes('webp') ? 'webp' : field.mime.includes('png') ? 'png' : 'jpg') : rawExt;
  return openImage(field.bytes, newInputName(ext));
}

/** A video field, probed; an unreadable one carries the probe's error (each route fails its own way). */
export async function inputVideo(item: Record<string, unknown>, key: string): Promise<{ bytes: Buffer; info: VideoInfo } | { bytes: Buffer; error: string }> {
  const field = decodeDataUrlOrRaw(mediaValue(item, key));
  try {
    return { bytes: field.bytes, info: await probeVideo(field.bytes) };
  } catch (e) {
    return { bytes: field.bytes, error: (e as Error).message };
  }
}
