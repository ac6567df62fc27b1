/**
 * The calls the emulator has taken: a bounded log of records (what the control API and tests
 * read) and the pending results behind Modal's 303 result URLs, kept until retrieved or, once
 * settled and never fetched, until a sweep drops them (Modal keeps results; clients may come
 * back late).
 */
import { randomBytes } from 'node:crypto';
import type { FaultName } from './faults.ts';
import type { EmuResponse } from './responses.ts';
import { nowMs } from './timing.ts';

export interface CallRecord {
  id: string;
  app: string;
  path: string;
  method: string;
  status: number | null;
  startedAt: string;
  faults: FaultName[];
  coldStart: boolean;
  /** Which of the app's containers served it (1 = the first started since the last reset). */
  container: number;
  /** Wall ms waiting for the container to start. */
  coldStartMs: number;
  /** Wall ms queued inside the container (serial: behind the request it is running). */
  queueMs: number;
  /** Wall ms inside the handler (validation, GPU work, rendering). */
  execMs: number;
  /** Wall ms from request arrival to the final answer being ready (excludes body transfer). */
  serverMs: number | null;
  /** serverMs converted to fleet seconds (÷ timeScale). */
  modeledSec: number | null;
  redirects: number;
  retrieved: boolean;
}

export interface Call {
  record: CallRecord;
  /** Settles with the call's answer; never settles for a call that is not running (redirect loop). */
  promise: Promise<EmuResponse>;
  result: EmuResponse | null;
  /** redirect-loop fault: answer 303 forever. */
  loop: boolean;
  settledAt: number | null;
}

/** Records kept for the control API (older ones are dropped). */
const MAX_RECORDS = 1000;
/** Records the state snapshot shows. */
const SNAPSHOT_RECORDS = 100;
const SWEEP_EVERY_MS = 10_000;

/** Modal's function call ids: `fc-` and 26 upper-case letters and digits. */
function callId(): string {
  return `fc-${randomBytes(13).toString('base64url').replace(/[-_]/g, 'x').slice(0, 26).toUpperCase()}`;
}

function newRecord(app: string, path: string, method: string, faults: FaultName[]): CallRecord {
  return {
    id: callId(),
    app,
    path,
    method,
    status: null,
    startedAt: new Date().toISOString(),
    faults,
    coldStart: false,
    container: 0,
    coldStartMs: 0,
    queueMs: 0,
    execMs: 0,
    serverMs: null,
    modeledSec: null,
    redirects: 0,
    retrieved: false,
  };
}

export class CallStore {
  readonly #pending = new Map<string, Call>();
  readonly #records: CallRecord[] = [];
  readonly #sweep: NodeJS.Timeout;

  /** `keepSettledMs`: how long a settled, unretrieved result stays fetchable. */
  constructor(private readonly keepSettledMs: number) {
    this.#sweep = setInterval(() => this.#dropStale(), SWEEP_EVERY_MS);
    this.#sweep.unref();
  }

  /** A new pending call, logged and fetchable by its id. */
  open(app: string, path: string, method: string, faults: FaultName[]): Call {
    const record = newRecord(app, path, method, faults);
    this.#records.push(record);
    if (this.#records.length > MAX_RECORDS) this.#records.splice(0, this.#records.length - MAX_RECORDS);
    const call: Call = { record, promise: new Promise<EmuResponse>(() => undefined), result: null, loop: false, settledAt: null };
    this.#pending.set(record.id, call);
    return call;
  }

  /** Runs the call's work; its answer (with `transport` faults to apply) becomes the result. */
  settle(call: Call, work: Promise<EmuResponse>, transport: FaultName[]): void {
    call.promise = work.then((out) => {
      out.transport = transport;
      call.result = out;
      call.settledAt = nowMs();
      call.record.status = out.status;
      return out;
    });
  }

  pending(id: string): Call | undefined {
    return this.#pending.get(id);
  }

  /** The result was handed out: the result URL stops working. */
  retrieved(call: Call): void {
    this.#pending.delete(call.record.id);
    call.record.retrieved = true;
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  record(id: string): CallRecord | undefined {
    return this.#records.find((r) => r.id === id);
  }

  /** Copies of the latest records. */
  recent(): CallRecord[] {
    return this.#records.slice(-SNAPSHOT_RECORDS).map((r) => ({ ...r }));
  }

  clear(): void {
    this.#pending.clear();
    this.#records.length = 0;
  }

  close(): void {
    clearInterval(this.#sweep);
  }

  #dropStale(): void {
    const cutoff = nowMs() - this.keepSettledMs;
    for (const [id, call] of this.#pending) if (call.settledAt !== null && call.settledAt < cutoff) this.#pending.delete(id);
  }
}
