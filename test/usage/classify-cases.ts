/** Rows with the answer written by hand (docs/fleet.md §7.5–§7.6), shared by the TS and SQL tests. */
export interface ProviderCase {
  provider: string | null;
  jobId: string | null;
  expected: 'modal' | 'comfyui' | 'fal' | 'runpod' | 'unknown';
  stored: 'modal' | 'comfyui' | 'fal' | 'runpod' | 'replicate' | 'none' | 'other';
  why: string;
}

export const PROVIDER_CASES: ProviderCase[] = [
  { provider: 'modal', jobId: 'modal_0f8e2b1c-3d4a-4b5c-9d6e-7f8091a2b3c4', expected: 'modal', stored: 'modal', why: 'studio flux path' },
  { provider: 'modal', jobId: '5b1f7c2e-runner', expected: 'modal', stored: 'modal', why: 'studio workflow path stores the runner id' },
  { provider: 'comfyui', jobId: 'modal_1a2b', expected: 'modal', stored: 'comfyui', why: 'profile pictures: Modal but stored as comfyui' },
  { provider: null, jobId: 'modal_1a2b', expected: 'modal', stored: 'none', why: 'legacy service on Modal writes NULL' },
  { provider: null, jobId: 'b2c9d7e1-41f5-4a1b-8f0e-2c7d9a1b3e5f-u1', expected: 'runpod', stored: 'none', why: 'legacy service on RunPod writes NULL' },
  { provider: null, jobId: 'sync-3f9a', expected: 'runpod', stored: 'none', why: 'RunPod sync id' },
  { provider: 'fal', jobId: 'fal_abc', expected: 'fal', stored: 'fal', why: 'studio FAL' },
  { provider: 'fal', jobId: 'fal_upscale_abc', expected: 'fal', stored: 'fal', why: 'FAL upscale' },
  { provider: 'fal', jobId: 'fal_profile:abc:0', expected: 'fal', stored: 'fal', why: 'FAL profile fallback' },
  { provider: null, jobId: 'fal_job_bW9kYWw6Zmx1eC1kZXY6aTox', expected: 'fal', stored: 'none', why: 'fal_job_ id with no label' },
  { provider: 'comfyui', jobId: '7c1e9d2a-prompt', expected: 'comfyui', stored: 'comfyui', why: 'ComfyUI pod prompt id' },
  { provider: 'comfyui', jobId: null, expected: 'comfyui', stored: 'comfyui', why: 'ComfyUI before the prompt id is known' },
  { provider: null, jobId: null, expected: 'unknown', stored: 'none', why: 'nothing recorded' },
  { provider: null, jobId: '', expected: 'unknown', stored: 'none', why: 'empty id is no signal' },
  { provider: '', jobId: '', expected: 'unknown', stored: 'none', why: 'empty label is NULL' },
  { provider: '  ', jobId: ' \t ', expected: 'unknown', stored: 'none', why: 'blank label and id' },
  { provider: ' MODAL ', jobId: null, expected: 'modal', stored: 'modal', why: 'label case and padding ignored' },
  { provider: '\tModal\n', jobId: 'x', expected: 'modal', stored: 'modal', why: 'tab/newline padding' },
  { provider: 'ComfyUI', jobId: 'p', expected: 'comfyui', stored: 'comfyui', why: 'label case ignored' },
  { provider: 'runpod', jobId: 'abc', expected: 'runpod', stored: 'runpod', why: 'explicit runpod label' },
  { provider: 'replicate', jobId: 'r8_abc', expected: 'unknown', stored: 'replicate', why: 'listed in the schema comment, never routed' },
  { provider: 'replicate', jobId: 'modal_abc', expected: 'modal', stored: 'replicate', why: 'modal_ id wins over any label' },
  { provider: 'something-else', jobId: 'x', expected: 'unknown', stored: 'other', why: 'free text bucketed' },
  { provider: 'modal\u00a0', jobId: null, expected: 'unknown', stored: 'other', why: 'only ASCII blanks are trimmed, in TS and SQL alike' },
  { provider: 'fal', jobId: 'modal_abc', expected: 'modal', stored: 'fal', why: 'modal_ id wins over the fal label' },
  { provider: 'modal', jobId: 'fal_abc', expected: 'modal', stored: 'modal', why: 'modal label wins over a fal_ id' },
  { provider: 'comfyui', jobId: 'fal_abc', expected: 'fal', stored: 'comfyui', why: 'fal_ id wins over the comfyui label' },
  { provider: null, jobId: 'modalX', expected: 'runpod', stored: 'none', why: 'prefix needs the underscore' },
  { provider: null, jobId: 'MODAL_x', expected: 'runpod', stored: 'none', why: 'id prefixes are case-sensitive (writers use lower case)' },
  { provider: null, jobId: 'modal_', expected: 'modal', stored: 'none', why: 'bare prefix' },
  { provider: null, jobId: 'fal', expected: 'runpod', stored: 'none', why: 'fal without underscore is just an id' },
  { provider: null, jobId: 'modal%abc', expected: 'runpod', stored: 'none', why: 'LIKE wildcards in ids are literal' },
];

export interface DurationCase {
  status: string;
  /** seconds after an arbitrary base; null = column NULL */
  started: number | null;
  completed: number | null;
  updated: number;
  expected: number | null;
  why: string;
}

export const DURATION_CASES: DurationCase[] = [
  { status: 'completed', started: 0, completed: 45, updated: 50, expected: 45, why: 'completed_at wins' },
  { status: 'completed', started: 0, completed: null, updated: 60, expected: 60, why: 'Modal studio rows have no completed_at' },
  { status: 'failed', started: 0, completed: null, updated: 30, expected: 30, why: 'terminal: updated_at' },
  { status: 'cancelled', started: 0, completed: null, updated: 5, expected: 5, why: 'cancelled is terminal too' },
  { status: 'processing', started: 0, completed: null, updated: 100, expected: null, why: 'live row: updated_at is only progress' },
  { status: 'queued', started: null, completed: null, updated: 3, expected: null, why: 'never started' },
  { status: 'processing', started: 0, completed: 20, updated: 25, expected: 20, why: 'completed_at even before the status flips' },
  { status: 'completed', started: 100, completed: 50, updated: 120, expected: null, why: 'end before start is skew, not a duration' },
  { status: 'completed', started: 100, completed: null, updated: 50, expected: null, why: 'updated before start is skew too' },
  { status: 'completed', started: 0, completed: 0, updated: 0, expected: 0, why: 'zero is a duration' },
  { status: 'failed', started: null, completed: 10, updated: 10, expected: null, why: 'no start' },
  { status: 'completed', started: 0, completed: 1.5, updated: 2, expected: 1.5, why: 'millisecond precision' },
  { status: 'completed', started: 0, completed: 2 * 86_400 + 3, updated: 2 * 86_400 + 4, expected: 172_803, why: 'multi-day interval' },
];
