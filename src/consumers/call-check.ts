/**
 * One call of a consumer contract while it is verified — statically against the catalog
 * (static.ts) or against the running fleet (live.ts): its findings, at most one per code and field,
 * and the finding classes that were checked and held, which reports list as passes.
 */
import type { ConsumerCall } from './contract.ts';
import { callId, type CallVerdict, type ConsumerFinding, type FindingCode, type Severity } from './findings.ts';

/** What a finding may say beyond its code and message; severity defaults per verifier. */
export type FindingDetail = Pick<ConsumerFinding, 'field' | 'cause' | 'expected' | 'measured'> & { severity?: Severity };

export class CallCheck {
  readonly findings: ConsumerFinding[] = [];
  readonly passed: Array<{ code: FindingCode; message: string }> = [];
  constructor(
    readonly consumer: string,
    readonly call: ConsumerCall,
    /** The severity of a finding that does not set one (static verification warns on some codes). */
    readonly defaultSeverity: (code: FindingCode) => Severity = () => 'fail',
  ) {}

  /** `studio-api.generateFlux`: the call as reports and messages name it. */
  get who(): string {
    return callId(this.consumer, this.call.method);
  }

  add(code: FindingCode, message: string, detail: FindingDetail = {}): void {
    if (this.findings.some((f) => f.code === code && f.field === detail.field)) return;
    const { severity, ...rest } = detail;
    this.findings.push({ code, severity: severity ?? this.defaultSeverity(code), consumer: this.consumer, method: this.call.method, app: this.call.app, path: this.call.path, message, ...rest });
  }

  /** These classes were checked: each without a finding counts as a pass with `message`. */
  ran(codes: FindingCode[], message: string): void {
    for (const code of codes) if (!this.findings.some((f) => f.code === code) && !this.passed.some((p) => p.code === code)) this.passed.push({ code, message });
  }

  /** The call's verdict, on the catalog route it resolved to (if any). */
  verdict(routeId: string | undefined): CallVerdict {
    const { method, app, path, httpMethod } = this.call;
    return { consumer: this.consumer, method, app, path, httpMethod, routeId, findings: this.findings, passed: this.passed };
  }
}
