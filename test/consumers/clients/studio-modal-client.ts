/**
 * A stand-in for the studio's Modal client, written for genprobe's tests in the same style as
 * jatidevelopments/ryla@57209b5:libs/business/src/services/modal-client.ts (not a copy): the same
 * endpoint→app map (phantom /qwen-faceswap*, /qwen-character-scene, removed /sdxl-turbo and
 * /sdxl-lightning, /workflow on ryla-flux, /flux-lora on ryla-lora), the same per-endpoint
 * timeouts with a 180 s constructor default, the same request interfaces with their field-name
 * drift (num_frames, reference_video, pulid_strength/start/end, controlnet_strength, scale) and
 * the same response headers read. fixtures/consumers/studio-api.json is imported from this file.
 */

const APP_FOR_PATH: Record<string, string> = {
  '/flux': 'ryla-flux',
  '/flux-dev': 'ryla-flux',
  '/flux-dev-lora': 'ryla-flux',
  '/workflow': 'ryla-flux',
  '/sdxl-instantid': 'ryla-instantid',
  '/sdxl-turbo': 'ryla-instantid',
  '/sdxl-lightning': 'ryla-instantid',
  '/flux-pulid': 'ryla-instantid',
  '/flux-ipadapter-faceid': 'ryla-instantid',
  '/qwen-image-2512': 'ryla-qwen-image',
  '/qwen-image-2512-fast': 'ryla-qwen-image',
  '/qwen-image-2512-lora': 'ryla-qwen-image',
  '/qwen-image-edit-2511': 'ryla-qwen-image',
  '/qwen-image-inpaint-2511': 'ryla-qwen-image',
  '/qwen-faceswap': 'ryla-qwen-image',
  '/qwen-faceswap-fast': 'ryla-qwen-image',
  '/qwen-character-scene': 'ryla-qwen-image',
  '/video-faceswap': 'ryla-qwen-image',
  '/image-faceswap': 'ryla-qwen-image',
  '/batch-video-faceswap': 'ryla-qwen-image',
  '/z-image-simple': 'ryla-z-image',
  '/z-image-danrisi': 'ryla-z-image',
  '/z-image-lora': 'ryla-z-image',
  '/wan2.6': 'ryla-wan26',
  '/wan2.6-r2v': 'ryla-wan26',
  '/wan2.6-lora': 'ryla-wan26',
  '/wan2.6-i2v': 'ryla-wan26',
  '/wan2.6-i2v-faceswap': 'ryla-wan26',
  '/wan22-i2v': 'ryla-wan22-i2v',
  '/wan22-i2v-faceswap': 'ryla-wan22-i2v',
  '/seedvr2': 'ryla-seedvr2',
  '/flux-lora': 'ryla-lora',
};

const MINUTE = 60 * 1000;

/** Slow routes get more than the default. */
const TIMEOUT_FOR_PATH: Record<string, number> = {
  '/z-image-simple': 10 * MINUTE,
  '/z-image-danrisi': 10 * MINUTE,
  '/z-image-lora': 10 * MINUTE,
  '/qwen-image-2512': 10 * MINUTE,
  '/qwen-image-2512-fast': 10 * MINUTE,
  '/qwen-image-2512-lora': 10 * MINUTE,
  '/seedvr2': 10 * MINUTE,
  '/video-faceswap': 10 * MINUTE,
  '/wan2.6': 10 * MINUTE,
  '/wan2.6-r2v': 10 * MINUTE,
  '/wan2.6-lora': 10 * MINUTE,
  '/wan22-i2v': 10 * MINUTE,
  '/sdxl-instantid': 7 * MINUTE,
  '/flux-pulid': 7 * MINUTE,
  '/flux-ipadapter-faceid': 7 * MINUTE,
  '/qwen-image-edit-2511': 7 * MINUTE,
  '/qwen-image-inpaint-2511': 7 * MINUTE,
  '/wan2.6-i2v-faceswap': 5 * MINUTE,
  '/batch-video-faceswap': 5 * MINUTE,
  '/wan22-i2v-faceswap': 15 * MINUTE,
  '/image-faceswap': 2 * MINUTE,
  '/wan2.6-i2v': 2 * MINUTE,
};

export interface StudioClientOptions {
  workspace?: string;
  timeout?: number;
}

export interface TextToImage extends Record<string, unknown> {
  prompt: string;
  negative_prompt?: string;
  width?: number;
  height?: number;
  steps?: number;
  cfg?: number;
  seed?: number;
}

export interface CharacterLoRA extends TextToImage {
  lora_id: string;
  lora_strength?: number;
  trigger_word?: string;
}

export interface QwenLoRA extends TextToImage {
  lora_id?: string;
  lora_name?: string;
  lora_strength?: number;
  trigger_word?: string;
}

export interface FaceReference extends TextToImage {
  reference_image: string; // base64 data URL
  face_provider?: 'CPU' | 'GPU';
}

export interface InstantIdInput extends FaceReference {
  instantid_strength?: number;
  controlnet_strength?: number;
}

export interface PulidInput extends FaceReference {
  pulid_strength?: number;
  pulid_start?: number;
  pulid_end?: number;
}

export interface IpAdapterInput extends FaceReference {
  ipadapter_strength?: number;
}

export interface EditInput extends Record<string, unknown> {
  source_image: string; // base64 data URL
  instruction: string;
  steps?: number;
  cfg?: number;
  seed?: number;
  denoise?: number;
}

export interface InpaintInput extends Record<string, unknown> {
  source_image: string; // base64 data URL
  mask_image: string; // base64 data URL, white = edit
  prompt: string;
  steps?: number;
  cfg?: number;
  seed?: number;
}

export interface TextToVideo extends Record<string, unknown> {
  prompt: string;
  negative_prompt?: string;
  width?: number;
  height?: number;
  num_frames?: number;
  fps?: number;
  steps?: number;
  cfg?: number;
  seed?: number;
}

export interface ReferenceToVideo extends TextToVideo {
  reference_video: string; // base64 data URL
}

export interface QwenFaceSwapInput extends Record<string, unknown> {
  prompt: string;
  reference_image: string; // base64 data URL
  restore_face?: boolean;
}

export interface CharacterSceneInput extends Record<string, unknown> {
  character_image: string; // base64 data URL
  scene: string;
  denoise?: number;
}

export interface VideoSwapInput extends Record<string, unknown> {
  source_video: string; // base64 data URL
  reference_image: string; // base64 data URL
  fps?: number;
  restore_face?: boolean;
  face_restore_visibility?: number;
  codeformer_weight?: number;
}

export interface GenerationResult {
  bytes: Buffer;
  contentType: string;
  costUsd?: number;
  executionTimeSec?: number;
  gpuType?: string;
}

export class StudioModalClient {
  private readonly workspace: string;
  private readonly timeout: number;

  constructor(options: StudioClientOptions = {}) {
    this.workspace = options.workspace ?? 'ryla';
    this.timeout = options.timeout || 180000;
  }

  private urlFor(path: string): string {
    const app = APP_FOR_PATH[path] ?? 'ryla-flux';
    return `https://${this.workspace}--${app}-comfyui-fastapi-app.modal.run${path}`;
  }

  private timeoutFor(path: string): number {
    return TIMEOUT_FOR_PATH[path] ?? this.timeout;
  }

  async flux(input: TextToImage): Promise<GenerationResult> {
    return this.post('/flux', input);
  }

  async fluxDev(input: TextToImage): Promise<GenerationResult> {
    return this.post('/flux-dev', input);
  }

  async fluxDevLoRA(input: CharacterLoRA): Promise<GenerationResult> {
    return this.post('/flux-dev-lora', input);
  }

  async fluxLoRA(input: CharacterLoRA): Promise<GenerationResult> {
    return this.post('/flux-lora', input);
  }

  async workflow(input: { workflow: Record<string, unknown> }): Promise<GenerationResult> {
    return this.post('/workflow', input);
  }

  async sdxlInstantId(input: InstantIdInput): Promise<GenerationResult> {
    return this.post('/sdxl-instantid', input);
  }

  async sdxlTurbo(input: TextToImage): Promise<GenerationResult> {
    return this.post('/sdxl-turbo', input);
  }

  async sdxlLightning(input: TextToImage): Promise<GenerationResult> {
    return this.post('/sdxl-lightning', input);
  }

  async fluxPulid(input: PulidInput): Promise<GenerationResult> {
    return this.post('/flux-pulid', input);
  }

  async fluxIpAdapter(input: IpAdapterInput): Promise<GenerationResult> {
    return this.post('/flux-ipadapter-faceid', input);
  }

  async qwenImage(input: TextToImage): Promise<GenerationResult> {
    return this.post('/qwen-image-2512', input);
  }

  async qwenImageFast(input: TextToImage): Promise<GenerationResult> {
    return this.post('/qwen-image-2512-fast', input);
  }

  async qwenImageLoRA(input: QwenLoRA): Promise<GenerationResult> {
    return this.post('/qwen-image-2512-lora', input);
  }

  async qwenEdit(input: EditInput): Promise<GenerationResult> {
    return this.post('/qwen-image-edit-2511', input);
  }

  async qwenInpaint(input: InpaintInput): Promise<GenerationResult> {
    return this.post('/qwen-image-inpaint-2511', input);
  }

  async qwenFaceSwap(input: QwenFaceSwapInput): Promise<GenerationResult> {
    return this.post('/qwen-faceswap', input);
  }

  async qwenFaceSwapFast(input: QwenFaceSwapInput): Promise<GenerationResult> {
    return this.post('/qwen-faceswap-fast', input);
  }

  async qwenCharacterScene(input: CharacterSceneInput): Promise<GenerationResult> {
    return this.post('/qwen-character-scene', input);
  }

  async videoFaceSwap(input: VideoSwapInput): Promise<GenerationResult> {
    return this.post('/video-faceswap', input);
  }

  async imageFaceSwap(input: { source_image: string; reference_image: string; restore_face?: boolean; face_restore_visibility?: number }): Promise<GenerationResult> {
    return this.post('/image-faceswap', input);
  }

  async batchVideoFaceSwap(input: { source_video: string; reference_image: string; fps?: number; restore_face?: boolean }): Promise<GenerationResult> {
    return this.post('/batch-video-faceswap', input);
  }

  async zImageSimple(input: TextToImage): Promise<GenerationResult> {
    return this.post('/z-image-simple', input);
  }

  async zImageDanrisi(input: TextToImage): Promise<GenerationResult> {
    return this.post('/z-image-danrisi', input);
  }

  async zImageLoRA(input: CharacterLoRA): Promise<GenerationResult> {
    return this.post('/z-image-lora', input);
  }

  async wan26(input: TextToVideo): Promise<GenerationResult> {
    return this.post('/wan2.6', input);
  }

  async wan26R2V(input: ReferenceToVideo): Promise<GenerationResult> {
    return this.post('/wan2.6-r2v', input);
  }

  async wan26LoRA(input: TextToVideo & { lora_id: string; lora_strength?: number }): Promise<GenerationResult> {
    return this.post('/wan2.6-lora', input);
  }

  async wan26I2V(input: { prompt: string; reference_image: string; length?: number; fps?: number; seed?: number }): Promise<GenerationResult> {
    return this.post('/wan2.6-i2v', input);
  }

  async wan26I2VFaceSwap(input: { prompt: string; reference_image: string; face_image: string; length?: number; restore_face?: boolean }): Promise<GenerationResult> {
    return this.post('/wan2.6-i2v-faceswap', input);
  }

  async wan22I2V(input: { prompt: string; source_image: string; num_frames?: number; fps?: number; seed?: number }): Promise<GenerationResult> {
    return this.post('/wan22-i2v', input);
  }

  async wan22I2VFaceSwap(input: { prompt: string; source_image: string; face_image: string; num_frames?: number; restore_face?: boolean }): Promise<GenerationResult> {
    return this.post('/wan22-i2v-faceswap', input);
  }

  async upscale(input: { image: string; scale?: number }): Promise<GenerationResult> {
    return this.post('/seedvr2', input);
  }

  /** Not supported by the fleet: kept so callers get a clear error. */
  async zImageInstantId(_input: InstantIdInput): Promise<GenerationResult> {
    throw new Error('Z-Image + InstantID is not supported; use sdxlInstantId()');
  }

  /** Checked once at API start: a cold ryla-flux within 10 s or Modal is off for the process. */
  async isHealthy(): Promise<boolean> {
    const url = `https://${this.workspace}--ryla-flux-comfyui-fastapi-app.modal.run/health`;
    try {
      const res = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(10000) });
      return res.ok;
    } catch {
      return false;
    }
  }

  private async post(path: string, body: Record<string, unknown>): Promise<GenerationResult> {
    const ms = this.timeoutFor(path);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), ms);
    try {
      const res = await fetch(this.urlFor(path), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: abort.signal,
      });
      if (!res.ok) {
        const text = await res.text().catch(() => '');
        throw new Error(`Modal ${res.status} on ${path}: ${text}`);
      }
      const bytes = Buffer.from(await res.arrayBuffer());
      const cost = res.headers.get('x-cost-usd');
      const seconds = res.headers.get('x-execution-time-sec');
      return {
        bytes,
        contentType: res.headers.get('content-type') || 'image/jpeg',
        costUsd: cost ? Number(cost) : undefined,
        executionTimeSec: seconds ? Number(seconds) : undefined,
        gpuType: res.headers.get('x-gpu-type') || undefined,
      };
    } finally {
      clearTimeout(timer);
    }
  }
}
