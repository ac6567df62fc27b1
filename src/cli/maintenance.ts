/**
 * `genprobe maintenance start|end|list`: opens and closes maintenance windows on a running
 * `genprobe serve` over its HTTP API (src/server/maintenance-api.ts), so a deploy pipeline can
 * silence the probes' alerts for exactly its deploy. Auth follows the server's config: the bearer
 * token or basic credentials are read from the environment variables server.auth names.
 */
import { UsageError } from '../errors/index.ts';
import { CONFIG_FLAG, HELP_FLAG, listFlag, parseFlags } from './flags.ts';
import { loadConfig, type GenprobeConfig } from '../config/index.ts';
import { parseDurationMs } from '../config/duration.ts';
import { resolveAuth } from '../server/auth.ts';

export const MAINTENANCE_HELP = `genprobe maintenance <start|end|list> [options]
  Open, close or list maintenance windows on a running \`genprobe serve\`. Probes inside a window
  still run and are recorded, but count as maintenance: alerts stay silent.
  start --app APP [--app APP…] --for DURATION --reason TEXT   (no --app: every app)
  end   [--app APP…] [--id ID]                               (no selector: every run-time window)
  list
  --server URL             the service (default $GENPROBE_SERVER, else http://server.host:server.port from config)
  --config FILE            config file (default genprobe.config.ts if present)
Exit codes: 0 done, 2 bad flags, unreachable service or refused request.`;

interface WindowJson {
  id: string;
  source: string;
  apps: string[] | null;
  reason: string;
  until: string;
}

function serverUrl(flag: string | undefined, config: GenprobeConfig, env: NodeJS.ProcessEnv): string {
  const raw = flag ?? env.GENPROBE_SERVER ?? `http://${config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host}:${config.server.port}`;
  if (!/^https?:\/\/[^/]+/.test(raw)) throw new UsageError(`--server must be an http(s) URL, got "${raw}"`);
  return raw.replace(/\/+$/, '');
}

function authHeader(config: GenprobeConfig, env: NodeJS.ProcessEnv): Record<string, string> {
  const auth = resolveAuth(config.server.auth, env);
  if (!auth) return {};
  if (auth.kind === 'bearer') return { authorization: `Bearer ${auth.token}` };
  return { authorization: `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}` };
}

async function call(url: string, headers: Record<string, string>, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new Error(`cannot reach the genprobe service at ${new URL(url).origin}: ${(err as Error).message}`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const detail = (json as { issues?: string[]; error?: string } | undefined)?.issues?.join('; ') ?? (json as { error?: string } | undefined)?.error ?? text.slice(0, 200);
    throw new Error(`the service refused the request (HTTP ${res.status}): ${detail}`);
  }
  return json;
}

function line(w: WindowJson): string {
  return `${w.id}  ${w.source}  ${w.apps ? w.apps.join(',') : 'all apps'}  until ${w.until}  ${w.reason}`;
}

export async function maintenanceCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseFlags(
    'maintenance',
    argv,
    { ...CONFIG_FLAG, ...HELP_FLAG, app: { type: 'string', multiple: true }, for: { type: 'string' }, reason: { type: 'string' }, id: { type: 'string' }, server: { type: 'string' } },
    true,
  );
  if (values.help) {
    console.log(MAINTENANCE_HELP);
    return 0;
  }
  const [action, ...extra] = positionals;
  if (!action || !['start', 'end', 'list'].includes(action) || extra.length) throw new UsageError(`genprobe maintenance needs one of start, end, list\n\n${MAINTENANCE_HELP}`);
  const apps = listFlag(values.app);
  const { config } = await loadConfig(values.config);
  const base = `${serverUrl(values.server, config, env)}/api/maintenance`;
  const headers = authHeader(config, env);

  if (action === 'start') {
    if (values.id) throw new UsageError('--id is for `maintenance end`');
    if (!values.for || parseDurationMs(values.for) === undefined) throw new UsageError(`--for needs a duration such as 20m or 1h30m${values.for ? `, got "${values.for}"` : ''}`);
    if (!values.reason?.trim()) throw new UsageError('--reason is required: say why alerts are silenced (it is shown on the status page)');
    const r = (await call(base, headers, { ...(apps.length ? { apps } : {}), for: values.for, reason: values.reason })) as { window: WindowJson };
    console.log(`maintenance started: ${line(r.window)}`);
    return 0;
  }
  if (values.for || values.reason) throw new UsageError(`--for and --reason are for \`maintenance start\``);
  if (action === 'end') {
    const r = (await call(`${base}/end`, headers, { ...(apps.length ? { apps } : {}), ...(values.id ? { id: values.id } : {}) })) as { ended: WindowJson[] };
    console.log(r.ended.length ? r.ended.map((w) => `maintenance ended: ${line(w)}`).join('\n') : 'no run-time maintenance window matched');
    return 0;
  }
  if (apps.length || values.id) throw new UsageError('`maintenance list` takes no --app or --id');
  const r = (await call(base, headers)) as { windows: WindowJson[] };
  console.log(r.windows.length ? r.windows.map(line).join('\n') : 'no maintenance window is open');
  return 0;
}
