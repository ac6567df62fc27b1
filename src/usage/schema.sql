-- Test fixture: the platform's `generation_jobs` table as its migrations define it
-- (libs/data/src/schema/generation-jobs.schema.ts; drizzle/migrations; docs/fleet.md §7.6).
-- genprobe never runs this against the platform: the collector only reads. Tests load it into a
-- throwaway PostgreSQL so the collector's SQL is exercised against the real column types and enums.
-- The enum types job_type and job_status come first, written from JOB_TYPES and JOB_STATUSES in
-- classify.ts (src/usage/schema.ts: generationJobsSchemaSql), so the values are listed once.
--
-- Usage note (index-friendliness): the platform has NO index on created_at (only user, character,
-- status, type). The collector's query is still bounded — `created_at >= <window start>` with the
-- bound computed once per statement and cast to the column's own type, so the predicate is sargable —
-- and it aggregates with GROUP BY (no LIMIT, no per-row transfer). Without an index that is one
-- sequential scan per read; on a large table the platform may add, without blocking writers:
--   CREATE INDEX CONCURRENTLY generation_jobs_created_at_idx ON generation_jobs (created_at);
-- and the same query then uses it unchanged (test/usage/collector.test.ts checks the plan).

CREATE TABLE generation_jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  character_id uuid,
  type job_type NOT NULL,
  status job_status NOT NULL DEFAULT 'queued',
  input jsonb,
  output jsonb,
  image_count integer DEFAULT 1,
  completed_count integer DEFAULT 0,
  -- credits, not USD
  credits_used integer,
  error text,
  retry_count integer DEFAULT 0,
  external_job_id text,
  -- free text, no enum and no index; written values: modal, comfyui, fal, NULL
  external_provider text,
  started_at timestamp,
  completed_at timestamp,
  created_at timestamp NOT NULL DEFAULT now(),
  updated_at timestamp NOT NULL DEFAULT now()
);

CREATE INDEX generation_jobs_user_id_idx ON generation_jobs (user_id);
CREATE INDEX generation_jobs_character_id_idx ON generation_jobs (character_id);
CREATE INDEX generation_jobs_status_idx ON generation_jobs (status);
CREATE INDEX generation_jobs_type_idx ON generation_jobs (type);
