/**
 * Shared by the usage tests: the platform schema, a realistic mix of generation_jobs rows with
 * hand-computed expectations, an exposition-text parser and a tiny /metrics server.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import pg from 'pg';
import type { Registry } from 'prom-client';
import type { UsageLogger } from '../../src/usage/collector.ts';
import { generationJobsSchemaSql } from '../../src/usage/schema.ts';

export async function loadSchema(connectionString: string): Promise<void> {
  await withClient(connectionString, (c) => c.query(generationJobsSchemaSql()));
}

export async function withClient<T>(connectionString: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
}

/** One row, times relative to the database's now() (UTC wall time, as the platform stores them). */
export interface JobSpec {
  note: string;
  type: string;
  status: string;
  provider: string | null;
  jobId: string | null;
  /** created_at = now − this many minutes. */
  agoMin: number;
  /** started_at = created_at + 1 s, or null when the job never started. */
  started: boolean;
  /** completed_at = started_at + seconds, or null. */
  completedAfterSec: number | null;
  /** updated_at = started_at + seconds (created_at when not started). */
  updatedAfterSec: number;
  output?: unknown;
}

const modalId = () => `modal_${randomUUID()}`;

/** docs/fleet.md §7.5: who writes what. Expected values for these rows are written out by hand in the tests. */
export const REALISTIC_MIX: JobSpec[] = [
  // Studio, Modal flux path: 'modal' + modal_<uuid>, success leaves completed_at NULL.
  { note: 'studio modal ok', type: 'image_generation', status: 'completed', provider: 'modal', jobId: modalId(), agoMin: 20, started: true, completedAfterSec: null, updatedAfterSec: 60 },
  { note: 'studio modal ok', type: 'image_generation', status: 'completed', provider: 'modal', jobId: modalId(), agoMin: 180, started: true, completedAfterSec: null, updatedAfterSec: 90 },
  { note: 'studio modal failed', type: 'image_generation', status: 'failed', provider: 'modal', jobId: modalId(), agoMin: 300, started: true, completedAfterSec: null, updatedAfterSec: 30, output: { error: 'Modal request failed: 503' } },
  // Studio workflow path: queued, external_job_id is the runner id.
  { note: 'studio modal workflow queued', type: 'image_generation', status: 'queued', provider: 'modal', jobId: randomUUID(), agoMin: 120, started: false, completedAfterSec: null, updatedAfterSec: 0 },
  { note: 'studio modal cancelled before start', type: 'image_generation', status: 'cancelled', provider: 'modal', jobId: modalId(), agoMin: 200, started: false, completedAfterSec: null, updatedAfterSec: 0 },
  // ProfilePictureSetService: runs on Modal, stored as 'comfyui'.
  { note: 'profile picture (mislabelled)', type: 'character_sheet_generation', status: 'completed', provider: 'comfyui', jobId: modalId(), agoMin: 120, started: true, completedAfterSec: 45, updatedAfterSec: 50 },
  { note: 'profile picture running (mislabelled)', type: 'character_sheet_generation', status: 'processing', provider: 'comfyui', jobId: modalId(), agoMin: 40, started: true, completedAfterSec: null, updatedAfterSec: 30 },
  { note: 'profile picture failed (mislabelled)', type: 'character_sheet_generation', status: 'failed', provider: 'comfyui', jobId: modalId(), agoMin: 360, started: true, completedAfterSec: null, updatedAfterSec: 15 },
  // Legacy ImageGenerationService: NULL provider, Modal or RunPod ids.
  { note: 'legacy modal', type: 'image_generation', status: 'completed', provider: null, jobId: modalId(), agoMin: 600, started: true, completedAfterSec: 100, updatedAfterSec: 101 },
  { note: 'legacy runpod', type: 'image_generation', status: 'completed', provider: null, jobId: `${randomUUID()}-u1`, agoMin: 720, started: true, completedAfterSec: 200, updatedAfterSec: 201 },
  { note: 'legacy runpod failed', type: 'image_generation', status: 'failed', provider: null, jobId: `sync-${randomUUID()}`, agoMin: 800, started: true, completedAfterSec: null, updatedAfterSec: 20 },
  // FAL.
  { note: 'studio fal', type: 'image_generation', status: 'completed', provider: 'fal', jobId: `fal_${randomUUID()}`, agoMin: 50, started: true, completedAfterSec: 12, updatedAfterSec: 13 },
  { note: 'fal upscale', type: 'image_upscale', status: 'completed', provider: 'fal', jobId: `fal_upscale_${randomUUID()}`, agoMin: 240, started: true, completedAfterSec: null, updatedAfterSec: 8 },
  { note: 'fal profile picture cancelled', type: 'character_sheet_generation', status: 'cancelled', provider: 'fal', jobId: `fal_profile:${randomUUID()}:0`, agoMin: 420, started: true, completedAfterSec: null, updatedAfterSec: 5 },
  // ComfyUI pod (NSFW studio, inpaint): ComfyUI prompt ids.
  { note: 'comfyui nsfw', type: 'image_generation', status: 'completed', provider: 'comfyui', jobId: randomUUID(), agoMin: 10, started: true, completedAfterSec: 150, updatedAfterSec: 151 },
  { note: 'comfyui nsfw failed', type: 'image_generation', status: 'failed', provider: 'comfyui', jobId: randomUUID(), agoMin: 900, started: true, completedAfterSec: null, updatedAfterSec: 40 },
  { note: 'comfyui inpaint running', type: 'image_generation', status: 'processing', provider: 'comfyui', jobId: randomUUID(), agoMin: 100, started: true, completedAfterSec: null, updatedAfterSec: 10 },
  // Never submitted.
  { note: 'queued, nothing recorded', type: 'image_generation', status: 'queued', provider: null, jobId: null, agoMin: 30, started: false, completedAfterSec: null, updatedAfterSec: 0 },
  // Outside the 1d window.
  { note: 'old modal', type: 'image_generation', status: 'completed', provider: 'modal', jobId: modalId(), agoMin: 30 * 60, started: true, completedAfterSec: 60, updatedAfterSec: 60 },
  { note: 'old fal', type: 'image_generation', status: 'completed', provider: 'fal', jobId: `fal_${randomUUID()}`, agoMin: 3 * 24 * 60, started: true, completedAfterSec: 10, updatedAfterSec: 10 },
  { note: 'old comfyui failed', type: 'image_generation', status: 'failed', provider: 'comfyui', jobId: randomUUID(), agoMin: 25 * 60, started: true, completedAfterSec: null, updatedAfterSec: 10 },
  { note: 'old profile picture', type: 'character_sheet_generation', status: 'completed', provider: 'comfyui', jobId: modalId(), agoMin: 26 * 60, started: true, completedAfterSec: 30, updatedAfterSec: 31 },
];

export async function insertJobs(connectionString: string, jobs: readonly JobSpec[]): Promise<void> {
  await withClient(connectionString, async (c) => {
    await c.query('BEGIN');
    for (const j of jobs) {
      await c.query(
        `WITH b AS (SELECT (now() AT TIME ZONE 'UTC') - make_interval(secs => $6::float8) AS created)
         INSERT INTO generation_jobs
           (user_id, type, status, external_provider, external_job_id, input, output, created_at, started_at, completed_at, updated_at)
         SELECT $1::uuid, $2::job_type, $3::job_status, $4, $5, $10::jsonb, $11::jsonb, b.created,
                CASE WHEN $7::boolean THEN b.created + interval '1 second' END,
                CASE WHEN $7::boolean AND $8::float8 IS NOT NULL THEN b.created + interval '1 second' + make_interval(secs => $8::float8) END,
                CASE WHEN $7::boolean THEN b.created + interval '1 second' + make_interval(secs => $9::float8) ELSE b.created END
           FROM b`,
        [
          randomUUID(), j.type, j.status, j.provider, j.jobId, j.agoMin * 60, j.started, j.completedAfterSec, j.updatedAfterSec,
          JSON.stringify({ prompt: j.note, width: 1024, height: 1024, nsfw: j.note.includes('nsfw') }),
          j.output === undefined ? null : JSON.stringify(j.output),
        ],
      );
    }
    await c.query('COMMIT');
  });
}

// --- exposition text ---

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function unescapeLabel(v: string): string {
  return v.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Parses Prometheus text exposition (format 0.0.4) into samples; throws on a line it cannot read. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (m === null) throw new Error(`unparseable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    if (m[2] !== undefined && m[2] !== '') {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
      let lm: RegExpExecArray | null;
      let consumed = 0;
      while ((lm = re.exec(m[2])) !== null) {
        labels[lm[1]] = unescapeLabel(lm[2]);
        consumed += lm[0].length;
      }
      if (consumed !== m[2].length) throw new Error(`unparseable labels: ${line}`);
    }
    const raw = m[3];
    const value = raw === 'NaN' ? NaN : raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`unparseable value: ${line}`);
    samples.push({ name: m[1], labels, value });
  }
  return samples;
}

export function seriesKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

/** name → (sorted label string → value) */
export function seriesOf(samples: readonly Sample[], name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) if (s.name === name) out.set(seriesKey(s.labels), s.value);
  return out;
}

export function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return seriesOf(samples, name).get(seriesKey(labels));
}

// --- /metrics server ---

export interface MetricsServer {
  url: string;
  scrape(): Promise<{ status: number; text: string; samples: Sample[] }>;
  close(): Promise<void>;
}

/** express on 127.0.0.1:0 with /metrics from the registry and a /healthz that stands for "still serving probes". */
export async function serveMetrics(registry: Registry): Promise<MetricsServer> {
  const app = express();
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  });
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async scrape() {
      const res = await fetch(`${url}/metrics`);
      const text = await res.text();
      return { status: res.status, text, samples: parseExposition(text) };
    },
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

// --- logs ---

export interface CapturedLogger extends UsageLogger {
  lines: string[];
}

/** Records each log call as one JSON line, exactly what a JSON-lines logger would print. */
export function captureLogger(): CapturedLogger {
  const lines: string[] = [];
  const rec = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(JSON.stringify({ level, message, ...fields }));
  };
  return { lines, info: rec('info'), warn: rec('warn'), error: rec('error') };
}

// --- expectations ---

export const ALL_PROVIDERS = ['modal', 'comfyui', 'fal', 'runpod', 'unknown'];
export const ALL_TYPES = [
  'base_image_generation', 'character_sheet_generation', 'image_generation', 'character_generation',
  'image_upscale', 'lora_training', 'hd_generation', 'caption_generation',
];
export const ALL_STATUSES = ['queued', 'processing', 'completed', 'failed', 'cancelled'];
export const ALL_STORED = ['modal', 'comfyui', 'fal', 'runpod', 'replicate', 'none', 'other'];
