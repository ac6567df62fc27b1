/**
 * Provider classification for `generation_jobs` rows (docs/fleet.md §7.5–§7.6, fact 12).
 *
 * The stored `external_provider` lies: profile pictures run on Modal but are written as 'comfyui',
 * the legacy service writes NULL for both Modal and RunPod jobs. The reliable Modal signal is an
 * `external_job_id` starting with `modal_` (FAL: `fal_`, which also covers `fal_upscale_…`,
 * `fal_profile:…` and `fal_job_…`). Every rule exists twice — as a TypeScript function and as a SQL
 * expression — so the database aggregates (GROUP BY, no row transfer) while unit tests can reason
 * about single rows; test/usage/classify-sql.test.ts proves the two agree on a table of cases.
 */

export const PROVIDERS = ['modal', 'comfyui', 'fal', 'runpod', 'unknown'] as const;
export type Provider = (typeof PROVIDERS)[number];

/**
 * `external_provider` is free text, so it is bucketed before it can become a metric label:
 * the values the platform writes (or its schema comment lists), 'none' for NULL/empty, 'other' for
 * anything else. Keeps the label bounded whatever lands in the column.
 */
export const STORED_LABELS = ['modal', 'comfyui', 'fal', 'runpod', 'replicate', 'none', 'other'] as const;
export type StoredLabel = (typeof STORED_LABELS)[number];

/** Values of the platform's `job_type` enum. */
export const JOB_TYPES = [
  'base_image_generation',
  'character_sheet_generation',
  'image_generation',
  'character_generation',
  'image_upscale',
  'lora_training',
  'hd_generation',
  'caption_generation',
] as const;
export type JobType = (typeof JOB_TYPES)[number];

/** Values of the platform's `job_status` enum. */
export const JOB_STATUSES = ['queued', 'processing', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Statuses after which `updated_at` no longer moves, so it can stand in for a missing `completed_at`. */
export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export interface ProviderColumns {
  external_provider: string | null;
  external_job_id: string | null;
}

/** Only ASCII blanks are trimmed, because SQL's btrim gets the same explicit set (JS trim() knows more). */
function trimBlanks(value: string): string {
  return value.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

/** `external_provider` lower-cased and trimmed; NULL and blank both become null. */
export function normaliseStoredProvider(value: string | null): string | null {
  if (value === null) return null;
  const v = trimBlanks(value).toLowerCase();
  return v === '' ? null : v;
}

/**
 * Which backend ran the job. Order matters: a `modal_` id wins over any stored label (profile
 * pictures say 'comfyui'), then FAL, then the stored 'comfyui', then RunPod — explicit 'runpod', or
 * the legacy service's NULL label with a non-Modal id — and 'unknown' when nothing says anything.
 */
export function classifyProvider(row: ProviderColumns): Provider {
  const label = normaliseStoredProvider(row.external_provider);
  const id = row.external_job_id;
  if (label === 'modal' || (id !== null && id.startsWith('modal_'))) return 'modal';
  if (label === 'fal' || (id !== null && id.startsWith('fal_'))) return 'fal';
  if (label === 'comfyui') return 'comfyui';
  if (label === 'runpod' || (label === null && id !== null && trimBlanks(id) !== '')) return 'runpod';
  return 'unknown';
}

const KNOWN_STORED: ReadonlySet<string> = new Set(STORED_LABELS.filter((l) => l !== 'none' && l !== 'other'));

/** The stored label bucketed into STORED_LABELS. */
export function storedLabel(externalProvider: string | null): StoredLabel {
  const label = normaliseStoredProvider(externalProvider);
  if (label === null) return 'none';
  return KNOWN_STORED.has(label) ? (label as StoredLabel) : 'other';
}

/**
 * A row is mislabelled when we know where it ran and the stored label says something else (NULL
 * counts as "something else": the legacy writer's missing label is one of the lies). Rows we
 * cannot classify are never counted — there is nothing to contradict.
 */
export function isMislabelled(stored: StoredLabel, classified: Provider): boolean {
  return classified !== 'unknown' && stored !== classified;
}

export interface DurationColumns {
  status: string;
  started_at: Date | null;
  completed_at: Date | null;
  updated_at: Date | null;
}

/**
 * Seconds the job ran: `completed_at − started_at`; when `completed_at` is missing (Modal studio
 * rows never set it) `updated_at − started_at` for terminal rows only, because a live row's
 * `updated_at` is just its last progress write. Null when there is no start, no end, or the end
 * precedes the start (clock skew between writers) — a negative duration would poison a mean.
 */
export function jobDurationSec(row: DurationColumns): number | null {
  if (row.started_at === null) return null;
  let end: Date | null = row.completed_at;
  if (end === null && (TERMINAL_STATUSES as readonly string[]).includes(row.status)) end = row.updated_at;
  if (end === null) return null;
  const seconds = (end.getTime() - row.started_at.getTime()) / 1000;
  return seconds >= 0 ? seconds : null;
}

// --- the same rules in SQL (PostgreSQL), over the columns of generation_jobs ---

const BLANKS_SQL = `E' \\t\\r\\n'`;
const LABEL_SQL = `NULLIF(lower(btrim(external_provider, ${BLANKS_SQL})), '')`;

/** SQL twin of classifyProvider(); `starts_with` avoids LIKE's escape-character pitfalls with `_`. */
export const PROVIDER_SQL = `CASE
    WHEN ${LABEL_SQL} = 'modal' OR starts_with(external_job_id, 'modal_') THEN 'modal'
    WHEN ${LABEL_SQL} = 'fal' OR starts_with(external_job_id, 'fal_') THEN 'fal'
    WHEN ${LABEL_SQL} = 'comfyui' THEN 'comfyui'
    WHEN ${LABEL_SQL} = 'runpod'
      OR (${LABEL_SQL} IS NULL AND btrim(external_job_id, ${BLANKS_SQL}) <> '') THEN 'runpod'
    ELSE 'unknown'
  END`;

/** SQL twin of storedLabel(). */
export const STORED_LABEL_SQL = `CASE
    WHEN ${LABEL_SQL} IS NULL THEN 'none'
    WHEN ${LABEL_SQL} IN (${[...KNOWN_STORED].map((l) => `'${l}'`).join(', ')}) THEN ${LABEL_SQL}
    ELSE 'other'
  END`;

const TERMINAL_SQL = TERMINAL_STATUSES.map((s) => `'${s}'`).join(', ');

/** SQL twin of jobDurationSec(); float8 seconds or NULL. */
export const DURATION_SQL = `CASE
    WHEN started_at IS NULL THEN NULL
    WHEN completed_at IS NOT NULL THEN
      CASE WHEN completed_at >= started_at THEN extract(epoch FROM completed_at - started_at)::float8 END
    WHEN status::text IN (${TERMINAL_SQL}) AND updated_at >= started_at
      THEN extract(epoch FROM updated_at - started_at)::float8
  END`;
