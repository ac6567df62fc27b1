/**
 * What a healthy output of one request must look like, derived from the catalog's OutputSpec and
 * the request actually sent (defaults applied) — the single place where SizeRule / FrameRule
 * semantics live, so every check and the emulator's tests agree on them.
 */
import type { OutputKind, OutputSpec } from '../catalog/types.ts';

/** Facts about each media input of the request, keyed by request field. */
export type InputMediaInfo = Record<
  string,
  { width: number; height: number; frames?: number; durationSec?: number; fps?: number; audioTracks?: number }
>;

export interface ExpectedOutput {
  kind: OutputKind;
  width?: number;
  height?: number;
  /** Allowed |measured − expected| per dimension, in pixels. */
  sizeTolerancePx?: number;
  frames?: number;
  /** Allowed |measured − expected| frames. */
  framesTolerance?: number;
  fps?: number;
  /** WebP frame delay: int(1000/fps) ms, as PIL/ComfyUI SaveAnimatedWEBP writes it. */
  frameDelayMs?: number;
  durationSec?: number;
  /** Why a value could not be derived (missing input info…), one line per gap. */
  notes: string[];
}

/** A request value as a finite number: numbers, numeric strings; anything else is undefined (fps, a FLOAT input). */
export function numberField(request: Record<string, unknown>, field: string): number | undefined {
  const v = request[field];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** Python's int() literal: optional sign and whitespace around decimal digits (underscores between them). */
const PYTHON_INT = /^\s*[+-]?\d+(_\d+)*\s*$/;

/**
 * A request value read as an integer the way the fleet's code reads it: Python's int() —
 * ComfyUI's INT inputs (width, height, length, num_frames) and seedvr2's `resolution`
 * (jatidevelopments/ryla@57209b5:apps/modal/handlers/seedvr2.py:194-224). A JSON number is
 * truncated (1440.5 → 1440); an integer string is read ("768" → 768); any other string makes int()
 * raise ValueError, which this throws, naming the field. Absent or not a number or string: undefined.
 */
export function intField(request: Record<string, unknown>, field: string): number | undefined {
  const v = request[field];
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v !== 'string') return undefined;
  if (PYTHON_INT.test(v)) return Number(v.replace(/_/g, ''));
  throw new Error(`request field "${field}" is ${JSON.stringify(v)}: Python's int() raises ValueError on it`);
}

/** intField where the handler catches int()'s ValueError and uses its default (seedvr2's resolution fields). */
function intFieldOrDefault(request: Record<string, unknown>, field: string, defaultValue: number): number {
  try {
    return intField(request, field) ?? defaultValue;
  } catch {
    return defaultValue;
  }
}

const isVideo = (kind: OutputKind) => kind === 'mp4' || kind === 'webp-animated';

export function expectedOutput(output: OutputSpec, request: Record<string, unknown>, inputs: InputMediaInfo = {}): ExpectedOutput {
  const expected: ExpectedOutput = { kind: output.kind, notes: [] };
  applySize(expected, output, request, inputs);
  if (isVideo(output.kind)) applyFrames(expected, output, request, inputs);
  return expected;
}

function applySize(e: ExpectedOutput, output: OutputSpec, request: Record<string, unknown>, inputs: InputMediaInfo): void {
  const rule = output.size;
  switch (rule.kind) {
    case 'none':
      return;
    case 'fixed':
      Object.assign(e, { width: rule.width, height: rule.height, sizeTolerancePx: 0 });
      return;
    case 'request':
      return applyRequestSize(e, rule, request);
    case 'aspect-ratio': {
      const ratio = request[rule.field];
      const fromTable = typeof ratio === 'string' ? rule.table[ratio] : undefined;
      if (fromTable) {
        Object.assign(e, { width: fromTable[0], height: fromTable[1], sizeTolerancePx: 0 });
        return;
      }
      // An unknown ratio falls back to width/height in the handler.
      if (ratio !== undefined) e.notes.push(`aspect ratio ${JSON.stringify(ratio)} not in the table; using width/height`);
      return applyRequestSize(e, rule, request);
    }
    case 'same-as-input': {
      const input = inputSize(e, inputs, rule.inputField);
      if (input) Object.assign(e, { width: input.width, height: input.height, sizeTolerancePx: 0 });
      return;
    }
    case 'short-side': {
      const input = inputSize(e, inputs, rule.inputField);
      if (!input) return;
      // `resolution` may be an int or an integer string; anything else ("fixed", "1440.5") means the default.
      const shortSide = intFieldOrDefault(request, rule.field, rule.defaultValue);
      const maxSide = intFieldOrDefault(request, rule.maxField, rule.defaultMax);
      const [w, h] = shortSideSize(input.width, input.height, shortSide, maxSide);
      // Upscalers round to their tile/latent grid; the exact rounding is not documented.
      Object.assign(e, { width: w, height: h, sizeTolerancePx: Math.max(2, Math.ceil(Math.max(w, h) * 0.01)) });
      return;
    }
  }
}

/** Width and height from the request's fields (or the defaults), on the latent grid's tolerance. */
function applyRequestSize(e: ExpectedOutput, rule: { widthField: string; heightField: string; defaultWidth: number; defaultHeight: number }, request: Record<string, unknown>): void {
  const width = intField(request, rule.widthField) ?? rule.defaultWidth;
  const height = intField(request, rule.heightField) ?? rule.defaultHeight;
  Object.assign(e, { width, height, sizeTolerancePx: latentTolerance(width, height) });
}

/** The size facts of a media input, or a note that they are unknown. */
function inputSize(e: ExpectedOutput, inputs: InputMediaInfo, field: string): InputMediaInfo[string] | undefined {
  const input = inputs[field];
  if (!input) e.notes.push(`no size known for input "${field}"`);
  return input;
}

/** Scale so the short side is `shortSide`, aspect preserved, then cap the long side at `maxSide`. */
export function shortSideSize(width: number, height: number, shortSide: number, maxSide: number): [number, number] {
  let scale = shortSide / Math.min(width, height);
  if (Math.max(width, height) * scale > maxSide) scale = maxSide / Math.max(width, height);
  return [Math.round(width * scale), Math.round(height * scale)];
}

/**
 * Latent sizes are multiples of 16 (the fleet's own client aligns to 16); a request off that grid
 * may come back rounded to it (docs/fleet.md §3, inferred), so allow up to 15 px there only.
 */
function latentTolerance(width: number, height: number): number {
  return width % 16 === 0 && height % 16 === 0 ? 0 : 15;
}

function applyFrames(e: ExpectedOutput, output: OutputSpec, request: Record<string, unknown>, inputs: InputMediaInfo): void {
  const fps = output.fps ? (numberField(request, output.fps.field) ?? output.fps.defaultValue) : undefined;
  const rule = output.frames;
  if (fps !== undefined && fps > 0) {
    e.fps = fps;
    if (output.kind === 'webp-animated') e.frameDelayMs = Math.trunc(1000 / fps);
  }
  if (!rule) return;
  switch (rule.kind) {
    case 'request': {
      const frames = intField(request, rule.field) ?? rule.defaultValue;
      e.frames = frames;
      // Wan's VAE compresses time by 4: 4k+1 lengths come back exactly, others are rounded to a
      // neighbouring 4k+1 (docs/fleet.md §3.5, inferred), i.e. at most 3 frames away.
      e.framesTolerance = (frames - 1) % 4 === 0 ? 0 : 3;
      break;
    }
    case 'none':
      e.frames = 1;
      e.framesTolerance = 0;
      break;
    case 'from-input-duration': {
      const input = inputs[rule.inputField];
      const rate = e.fps ?? input?.fps;
      const duration = input?.durationSec ?? (input?.frames && input.fps ? input.frames / input.fps : undefined);
      if (duration === undefined || rate === undefined) {
        e.notes.push(`no duration/fps known for input "${rule.inputField}"`);
        break;
      }
      e.frames = Math.round(duration * rate);
      // Resampling to a new rate may drop or repeat one frame at either end.
      e.framesTolerance = 2;
      break;
    }
  }
  if (e.frames !== undefined && e.fps) {
    e.durationSec = output.kind === 'webp-animated' && e.frameDelayMs ? (e.frames * e.frameDelayMs) / 1000 : e.frames / e.fps;
  }
}
