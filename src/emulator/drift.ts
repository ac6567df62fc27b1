/**
 * Deploy-drift faults: the fleet as it is after a deploy that breaks its callers, not a bad
 * answer to one call. They change what the apps register, so they hold for every request (and
 * for `/openapi.json`) until cleared:
 * - route-removed   the app no longer registers the route (FastAPI 404 `{"detail":"Not Found"}`,
 *                   absent from /openapi.json) — e.g. /sdxl-turbo deleted by e5a81e3;
 * - app-undeployed  the app is not deployed: Modal answers every path with 404
 *                   `modal-http: invalid function call`;
 * - field-renamed   the handler reads a request field under a new name (`reference_video` →
 *                   `reference_videos`): the old name is ignored like any unknown key, and the
 *                   handler's errors name the new one.
 * Set at start (`--drift route-removed:ryla-wan26/wan2.6-r2v`, `--drift app-undeployed:ryla-seedvr2`,
 * `--drift field-renamed:ryla-wan26/wan2.6-i2v:reference_image=reference_images`) or with
 * `POST /__emulator/drift {"fault","app","path","from","to"}`.
 */
export const DRIFT_FAULTS = [
  { name: 'route-removed', description: 'the app stops registering the route: FastAPI 404 {"detail":"Not Found"}, and /openapi.json omits it' },
  { name: 'app-undeployed', description: 'the app is not deployed: every path answers 404 `modal-http: invalid function call`' },
  { name: 'field-renamed', description: 'the handler reads a field under a new name: the old name is ignored, errors name the new one' },
] as const;

export type DriftFaultName = (typeof DRIFT_FAULTS)[number]['name'];

export interface DriftRule {
  fault: DriftFaultName;
  app: string;
  /** Route (route-removed, field-renamed). */
  path?: string;
  /** field-renamed: the name the handler read before the deploy … */
  from?: string;
  /** … and the name it reads now. */
  to?: string;
}

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function validateDriftRule(input: unknown): DriftRule {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new Error('drift rule must be a JSON object {fault, app, path?, from?, to?}');
  const { fault, app, path, from, to, ...rest } = input as Record<string, unknown>;
  if (Object.keys(rest).length) throw new Error(`drift rule: unknown key(s) ${Object.keys(rest).join(', ')}`);
  if (typeof fault !== 'string' || !DRIFT_FAULTS.some((f) => f.name === fault)) throw new Error(`unknown drift fault ${JSON.stringify(fault)}; known: ${DRIFT_FAULTS.map((f) => f.name).join(', ')}`);
  if (typeof app !== 'string' || !app) throw new Error('drift rule: app must be a non-empty string');
  const rule: DriftRule = { fault: fault as DriftFaultName, app };
  if (fault !== 'app-undeployed') {
    if (typeof path !== 'string' || !path.startsWith('/')) throw new Error(`drift rule ${fault}: path must start with /`);
    rule.path = path;
  } else if (path !== undefined) throw new Error('drift rule app-undeployed takes no path');
  if (fault === 'field-renamed') {
    if (typeof from !== 'string' || !FIELD.test(from) || typeof to !== 'string' || !FIELD.test(to) || from === to) throw new Error('drift rule field-renamed: from and to must be two different field names');
    rule.from = from;
    rule.to = to;
  } else if (from !== undefined || to !== undefined) throw new Error(`drift rule ${fault} takes no from/to`);
  return rule;
}

/** `route-removed:APP/PATH`, `app-undeployed:APP`, `field-renamed:APP/PATH:FROM=TO`. */
export function parseDriftSpec(spec: string): DriftRule {
  const [fault, target = '', rename] = spec.split(':');
  const slash = target.indexOf('/');
  const app = slash < 0 ? target : target.slice(0, slash);
  const path = slash < 0 ? undefined : target.slice(slash);
  const [from, to] = rename ? rename.split('=') : [];
  try {
    return validateDriftRule({ fault, app, ...(path !== undefined ? { path } : {}), ...(rename !== undefined ? { from, to } : {}) });
  } catch (e) {
    throw new Error(`--drift ${spec}: ${(e as Error).message} (forms: route-removed:APP/PATH, app-undeployed:APP, field-renamed:APP/PATH:FROM=TO)`);
  }
}

export class DriftState {
  private rules: DriftRule[];
  constructor(private readonly initial: readonly DriftRule[] = []) {
    this.rules = initial.map((r) => validateDriftRule(r));
  }

  add(input: unknown): DriftRule {
    const rule = validateDriftRule(input);
    this.rules.push(rule);
    return rule;
  }
  list(): DriftRule[] {
    return this.rules.map((r) => ({ ...r }));
  }
  clear(): void {
    this.rules = [];
  }
  /** Back to the rules the emulator was started with. */
  reset(): void {
    this.rules = this.initial.map((r) => ({ ...r }));
  }

  appUndeployed(app: string): boolean {
    return this.rules.some((r) => r.fault === 'app-undeployed' && r.app === app);
  }
  routeRemoved(app: string, path: string): boolean {
    return this.rules.some((r) => r.fault === 'route-removed' && r.app === app && r.path === path);
  }
  private renames(app: string, path: string): DriftRule[] {
    return this.rules.filter((r) => r.fault === 'field-renamed' && r.app === app && r.path === path);
  }

  /** The body as the renamed handler sees it, in the names the emulated (pre-deploy) handler reads. */
  renameIn(app: string, path: string, item: Record<string, unknown>): Record<string, unknown> {
    const renames = this.renames(app, path);
    if (!renames.length) return item;
    const out = { ...item };
    for (const { from, to } of renames) {
      delete out[from!];
      if (Object.prototype.hasOwnProperty.call(item, to!)) out[from!] = item[to!];
      delete out[to!];
    }
    return out;
  }

  /** Error bodies name the field the handler now reads. */
  renameOut(app: string, path: string, json: unknown): unknown {
    const renames = this.renames(app, path);
    if (!renames.length) return json;
    let text = JSON.stringify(json);
    for (const { from, to } of renames) text = text.replace(new RegExp(`(?<![A-Za-z0-9_])${from}(?![A-Za-z0-9_])`, 'g'), to!);
    return JSON.parse(text) as unknown;
  }
}
