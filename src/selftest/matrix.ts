/**
 * The fault matrix: every fault the bundled emulator can inject × every live endpoint where that
 * fault means something, each cell run as a real gate of one endpoint, and the check that must
 * catch it. A cell counts as caught only when one of its expected checks fails (unwaived): a fault
 * that some other check stumbles over (a wrong-dims output reported as a timeout) is a miss,
 * because the report would point the reader at the wrong problem.
 */
import { liveEndpoints, getEndpoint } from '../catalog/index.ts';
import type { AppName, EndpointEntry } from '../catalog/types.ts';
import type { CheckName } from '../checks/types.ts';
import { ModalClient } from '../client/index.ts';
import { parseConfig, type GenprobeConfig } from '../config/index.ts';
import { FAULTS, FAULT_HEADER, type FaultName } from '../emulator/faults.ts';
import { runGate } from '../runner/gate.ts';
import type { EndpointVerdict, Waiver } from '../report/types.ts';
import type { FaceCheck } from '../runner/run-endpoint.ts';
import { appLimits, maxInputsOf } from '../runner/context.ts';
import { Semaphore } from '../runner/semaphore.ts';
import { loadWaivers } from '../waivers/index.ts';
import { startEmulatorProcess } from '../emulator/process.ts';

const isVideo = (e: EndpointEntry) => e.output.kind === 'webp-animated' || e.output.kind === 'mp4';
const hasMedia = (e: EndpointEntry) => e.output.kind !== 'json';
const everyEndpoint = () => true;

export interface FaultExpectation {
  fault: FaultName;
  /** Which endpoints the fault means something for, in words (printed with the matrix). */
  appliesTo: string;
  applies: (entry: EndpointEntry) => boolean;
  /** Any one of these failing counts as caught. */
  expect: readonly CheckName[];
}

/**
 * The matrix as data. Applicability follows what the fault changes: frame faults need a video,
 * pixel faults need media (the JSON routes have no pixels), face faults need a route that promises
 * an identity, and platform/transport faults hit every route.
 */
export const FAULT_EXPECTATIONS: Readonly<Record<FaultName, FaultExpectation>> = {
  'wrong-dims': { fault: 'wrong-dims', appliesTo: 'media outputs', applies: hasMedia, expect: ['image-size'] },
  'wrong-frames': { fault: 'wrong-frames', appliesTo: 'video outputs (WebP, MP4)', applies: isVideo, expect: ['frame-count'] },
  'wrong-fps': { fault: 'wrong-fps', appliesTo: 'video outputs (WebP, MP4)', applies: isVideo, expect: ['frame-timing'] },
  'wrong-format': { fault: 'wrong-format', appliesTo: 'media outputs', applies: hasMedia, expect: ['media-type'] },
  blank: { fault: 'blank', appliesTo: 'media outputs', applies: hasMedia, expect: ['blank-output'] },
  tiny: { fault: 'tiny', appliesTo: 'media outputs', applies: hasMedia, expect: ['blank-output', 'file-size'] },
  truncated: { fault: 'truncated', appliesTo: 'every endpoint', applies: everyEndpoint, expect: ['transport', 'decodable'] },
  oversized: { fault: 'oversized', appliesTo: 'every endpoint', applies: everyEndpoint, expect: ['transport'] },
  // A JSON answer is a few hundred bytes: at 2.5 KB/s it arrives within a second, harming nobody.
  'slow-drip': { fault: 'slow-drip', appliesTo: 'media outputs (JSON answers are too small to drip)', applies: hasMedia, expect: ['transport', 'latency'] },
  'app-5xx': { fault: 'app-5xx', appliesTo: 'every endpoint', applies: everyEndpoint, expect: ['status'] },
  'modal-5xx': { fault: 'modal-5xx', appliesTo: 'every endpoint', applies: everyEndpoint, expect: ['transport'] },
  'modal-408': { fault: 'modal-408', appliesTo: 'every endpoint', applies: everyEndpoint, expect: ['transport'] },
  'modal-404': { fault: 'modal-404', appliesTo: 'every endpoint', applies: everyEndpoint, expect: ['transport'] },
  slow: { fault: 'slow', appliesTo: 'every endpoint', applies: everyEndpoint, expect: ['transport'] },
  'redirect-loop': { fault: 'redirect-loop', appliesTo: 'every endpoint', applies: everyEndpoint, expect: ['transport'] },
  'missing-cost-headers': {
    fault: 'missing-cost-headers',
    appliesTo: 'endpoints whose cost headers reach the client (/flux-pulid)',
    applies: (e) => e.headers.cost === 'present',
    expect: ['cost-headers'],
  },
  'wrong-face': { fault: 'wrong-face', appliesTo: 'endpoints with a face target', applies: (e) => e.face !== undefined, expect: ['face-match'] },
  'no-face': { fault: 'no-face', appliesTo: 'endpoints with a face target', applies: (e) => e.face !== undefined, expect: ['face-present'] },
  'invalid-gzip': { fault: 'invalid-gzip', appliesTo: 'every endpoint', applies: everyEndpoint, expect: ['transport'] },
  'lying-length': { fault: 'lying-length', appliesTo: 'every endpoint', applies: everyEndpoint, expect: ['decodable', 'transport'] },
  frozen: { fault: 'frozen', appliesTo: 'video outputs (WebP, MP4)', applies: isVideo, expect: ['motion'] },
  'no-detail': { fault: 'no-detail', appliesTo: 'media outputs', applies: hasMedia, expect: ['detail'] },
  yuv444: { fault: 'yuv444', appliesTo: 'H.264 MP4 outputs', applies: (e) => e.output.kind === 'mp4' && e.output.codec === 'avc1', expect: ['pixel-format'] },
  // Refused from its chunk headers: decodable fails with the frame count, before any frame is decoded.
  'frame-bomb': { fault: 'frame-bomb', appliesTo: 'animated WebP outputs', applies: (e) => e.output.kind === 'webp-animated', expect: ['decodable'] },
};

/** Faults whose cells end only at the call's deadline. */
const DEADLINE_FAULTS: ReadonlySet<FaultName> = new Set(['slow', 'slow-drip', 'oversized', 'redirect-loop']);
/** Of those, the ones that mostly wait (an endless body, by contrast, is read as fast as it comes). */
const IDLE_FAULTS: ReadonlySet<FaultName> = new Set(['slow', 'slow-drip', 'redirect-loop']);

/** The baseline row: the endpoint without a fault must not fail (no false alarm). */
export const HEALTHY = 'healthy' as const;
export type MatrixFault = FaultName | typeof HEALTHY;

export interface MatrixCell {
  fault: MatrixFault;
  endpoint: string;
  app: string;
  /** Checks any one of which must fail (empty for the healthy baseline). */
  expected: readonly CheckName[];
  /** Checks that failed and were not waived. */
  caughtBy: CheckName[];
  /** Faults: an expected check caught it. Healthy baseline: nothing failed. */
  detected: boolean;
  verdict: EndpointVerdict;
  /** The first unwaived failure's message (or the skip reason), for the list of misses. */
  detail: string;
  durationMs: number;
}

export interface PlannedCell {
  fault: MatrixFault;
  entry: EndpointEntry;
}

/** Endpoints the matrix runs by default: live routes of apps known to be deployed. */
export function defaultMatrixEndpoints(): EndpointEntry[] {
  return liveEndpoints({ deployedOnly: true });
}

export function faultApplies(fault: FaultName, entry: EndpointEntry): boolean {
  return entry.lifecycle === 'live' && FAULT_EXPECTATIONS[fault].applies(entry);
}

/** Every applicable (fault, endpoint) pair, the healthy baseline first when asked for. */
export function planMatrix(endpoints: readonly EndpointEntry[], faults: readonly FaultName[], baseline = true): PlannedCell[] {
  const cells: PlannedCell[] = baseline ? endpoints.map((entry) => ({ fault: HEALTHY, entry })) : [];
  for (const fault of faults) for (const entry of endpoints) if (faultApplies(fault, entry)) cells.push({ fault, entry });
  return cells;
}

export interface FaultMatrixOptions {
  /** Endpoint ids (default: every live endpoint of a deployed app). */
  endpoints?: string[];
  /** Fault names (default: all of FAULTS). */
  faults?: FaultName[];
  /** Emulator and budget time scale (0.01: a 425 s call takes 4.25 s). */
  timeScale: number;
  /**
   * Slack added to every deadline and budget for the emulator's local rendering (ms): its sharp and
   * ffmpeg work is not time-scaled, and on a loaded 2-core box an MP4 face swap can take 20 s.
   */
  overheadMs: number;
  /**
   * The same slack for cells whose fault never lets the call finish in time (slow, slow-drip,
   * oversized, redirect-loop): it only decides how long those cells wait for their timeout, so it
   * can be much smaller (default overheadMs).
   */
  deadlineOverheadMs?: number;
  /** Cells that render and check media at once (CPU-bound). Cells that mostly wait get twice as many. */
  concurrency: number;
  /** Run the healthy baseline row (default true). */
  baseline?: boolean;
  /** Base config (waivers, face, endpoint overrides); target and gate.negativeCases are set here. */
  config?: GenprobeConfig;
  waivers?: Waiver[];
  /** Face identity checks (default: the real face model, loaded once). */
  faceCheck?: FaceCheck;
  /**
   * Body cap. The emulator's largest healthy output is a few MB, so 16 MiB still tells an endless
   * body apart while keeping each `oversized` cell from streaming half a gigabyte.
   */
  maxBodyBytes?: number;
  onCell?: (cell: MatrixCell) => void;
}

function resolveFaults(names: readonly string[] | undefined): FaultName[] {
  if (!names?.length) return FAULTS.map((f) => f.name);
  const known = new Set<string>(FAULTS.map((f) => f.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) throw new Error(`unknown fault(s): ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  return [...new Set(names)] as FaultName[];
}

/** Judges one finished cell from the gate's report of its endpoint. */
export function judgeCell(fault: MatrixFault, entry: EndpointEntry, report: { verdict: EndpointVerdict; skipReason?: string; checks: Array<{ check: CheckName; verdict: string; message: string; waived?: unknown }> }, durationMs: number): MatrixCell {
  const failing = report.checks.filter((c) => c.verdict === 'fail' && !c.waived);
  const caughtBy = [...new Set(failing.map((c) => c.check))];
  const expected = fault === HEALTHY ? [] : FAULT_EXPECTATIONS[fault].expect;
  const detected =
    fault === HEALTHY ? report.verdict !== 'fail' && report.verdict !== 'skipped' : report.verdict === 'fail' && caughtBy.some((c) => expected.includes(c));
  const first = failing[0];
  const detail = report.verdict === 'skipped' ? `skipped: ${report.skipReason ?? ''}` : first ? `${first.check}: ${first.message}` : `verdict ${report.verdict}, no check failed`;
  return { fault, endpoint: entry.id, app: entry.app, expected, caughtBy, detected, verdict: report.verdict, detail, durationMs };
}

/** Apps whose container slots one call of this endpoint occupies (its own and its delegates), sorted. */
function appsOf(entry: EndpointEntry): AppName[] {
  return [...new Set([entry.app, ...(entry.delegatesTo ?? [])])].sort();
}

/**
 * Runs the matrix against one freshly started emulator (in its own process). Each cell is a gate
 * of one endpoint (happy path only) with the fault in the `x-genprobe-fault` header.
 *
 * Scheduling keeps cells from hurting each other: per app at most `max_inputs` cells in flight
 * (as the gate itself does), so no call waits in the emulator's queue past its deadline; and the
 * `slow` cells run last, because a `slow` call keeps its container slot until the (scaled)
 * function timeout, long after the client gave up.
 */
export async function runFaultMatrix(opts: FaultMatrixOptions): Promise<MatrixCell[]> {
  if (!(opts.timeScale > 0 && opts.timeScale <= 1)) throw new Error(`timeScale must be in (0, 1], got ${opts.timeScale}`);
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${opts.concurrency}`);
  const faults = resolveFaults(opts.faults);
  const endpoints = opts.endpoints?.length ? opts.endpoints.map((id) => getEndpoint(id)) : defaultMatrixEndpoints();
  const base = opts.config ?? parseConfig({});
  const waivers = opts.waivers ?? loadWaivers(base.gate.waivers);
  const faceCheck = opts.faceCheck ?? (await import('../face/off-thread.ts')).faceMatchCheckOffThread;
  const planned = planMatrix(endpoints, faults, opts.baseline ?? true);

  const server = await startEmulatorProcess({ timeScale: opts.timeScale });
  try {
    const maxBodyBytes = opts.maxBodyBytes ?? 16 * 1024 * 1024;
    const configWith = (overheadMs: number) =>
      parseConfig({
        ...base,
        target: { ...base.target, url: `${server.url}/{app}`, timeScale: opts.timeScale, overheadMs, maxBodyBytes },
        gate: { ...base.gate, negativeCases: false },
      });
    const renderConfig = configWith(opts.overheadMs);
    const deadlineConfig = configWith(opts.deadlineOverheadMs ?? opts.overheadMs);
    const client = ModalClient.forTarget(renderConfig.target);
    // One cell per app container slot at a time, as the fleet takes them (max_inputs).
    const slot = appLimits(maxInputsOf);
    const computing = new Semaphore(opts.concurrency);
    const waiting = new Semaphore(opts.concurrency * 2);

    const runCell = async ({ fault, entry }: PlannedCell): Promise<MatrixCell> => {
      const waits = fault !== HEALTHY && DEADLINE_FAULTS.has(fault);
      const idle = fault !== HEALTHY && IDLE_FAULTS.has(fault);
      return (idle ? waiting : computing).run(async () => {
        const releases: Array<() => void> = [];
        for (const app of appsOf(entry)) releases.push(await slot(app).acquire());
        const t0 = Date.now();
        try {
          const { report } = await runGate({
            config: waits ? deadlineConfig : renderConfig,
            only: [entry.id],
            waivers,
            client,
            faceCheck,
            headers: fault === HEALTHY ? undefined : { [FAULT_HEADER]: fault },
          });
          return judgeCell(fault, entry, report.endpoints[0], Date.now() - t0);
        } finally {
          for (const release of releases.reverse()) release();
        }
      });
    };
    const runAll = (cells: PlannedCell[]) =>
      Promise.all(
        cells.map(async (c) => {
          const cell = await runCell(c);
          opts.onCell?.(cell);
          return cell;
        }),
      );
    const first = await runAll(planned.filter((c) => c.fault !== 'slow'));
    const last = await runAll(planned.filter((c) => c.fault === 'slow'));
    const byKey = new Map([...first, ...last].map((c) => [`${c.fault}\u0000${c.endpoint}`, c]));
    return planned.map((p) => byKey.get(`${p.fault}\u0000${p.entry.id}`)!);
  } finally {
    await server.close();
  }
}

/** Applicable cells that were not caught by an expected check (or baseline false alarms). */
export function matrixMisses(cells: readonly MatrixCell[]): MatrixCell[] {
  return cells.filter((c) => !c.detected);
}

/**
 * A grid, faults down and endpoints across (numbered, with a legend): ✓ caught by an expected
 * check, ✗ missed, · not applicable; then the list of misses with what happened instead.
 */
export function formatMatrix(cells: readonly MatrixCell[]): string {
  const endpoints = [...new Set(cells.map((c) => c.endpoint))];
  const faults = [...new Set(cells.map((c) => c.fault))];
  const byKey = new Map(cells.map((c) => [`${c.fault}\u0000${c.endpoint}`, c]));
  const col = Math.max(2, String(endpoints.length).length) + 1;
  const label = Math.max(...faults.map((f) => f.length), 'fault'.length) + 2;
  const lines: string[] = [];
  lines.push(`${'fault'.padEnd(label)}${endpoints.map((_, i) => String(i + 1).padStart(col)).join('')}   caught by`);
  for (const fault of faults) {
    const row = endpoints.map((ep) => {
      const cell = byKey.get(`${fault}\u0000${ep}`);
      return (cell ? (cell.detected ? '✓' : '✗') : '·').padStart(col);
    });
    const expect = fault === HEALTHY ? '(must not fail)' : FAULT_EXPECTATIONS[fault].expect.join(' or ');
    lines.push(`${fault.padEnd(label)}${row.join('')}   ${expect}`);
  }
  lines.push('');
  const legendWidth = Math.max(...endpoints.map((e) => e.length));
  for (let i = 0; i < endpoints.length; i += 3) {
    lines.push(
      endpoints
        .slice(i, i + 3)
        .map((e, j) => `${String(i + j + 1).padStart(3)} ${e.padEnd(legendWidth)}`)
        .join('  ')
        .trimEnd(),
    );
  }
  const misses = matrixMisses(cells);
  const applicable = cells.filter((c) => c.fault !== HEALTHY).length;
  const caught = cells.filter((c) => c.fault !== HEALTHY && c.detected).length;
  lines.push('');
  lines.push(`✓ caught by the expected check  ✗ missed  · not applicable — ${caught}/${applicable} fault cells caught${cells.some((c) => c.fault === HEALTHY) ? `, ${cells.filter((c) => c.fault === HEALTHY && !c.detected).length} false alarms` : ''}`);
  if (misses.length) {
    lines.push('', `Misses (${misses.length}):`);
    for (const m of misses) {
      const why = m.fault === HEALTHY ? 'false alarm on a healthy endpoint' : m.caughtBy.length ? `caught only by ${m.caughtBy.join(', ')}, expected ${m.expected.join(' or ')}` : `not detected (verdict ${m.verdict}), expected ${m.expected.join(' or ')}`;
      lines.push(`  ✗ ${m.fault} × ${m.endpoint}: ${why} — ${m.detail.replace(/\s+/g, ' ').slice(0, 200)}`);
    }
  }
  return lines.join('\n');
}
