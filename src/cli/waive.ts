/**
 * `genprobe waive`: accept a known defect by adding a waiver to the waivers file — the same code
 * (src/waivers/write.ts) the review matrix's "accept" uses.
 */
import { loadConfig } from '../config/index.ts';
import { UsageError } from '../errors/index.ts';
import { CONFIG_FLAG, HELP_FLAG, parseFlags } from './flags.ts';
import type { Waiver } from '../report/types.ts';
import { appendWaivers, expiryInDays } from '../waivers/write.ts';

export const WAIVE_HELP = `genprobe waive --endpoint ID --check NAME --reason TEXT [options]
  Add a waiver (a known defect, with a reason and an expiry) to the waivers file.
  --endpoint ID|GLOB       endpoint id or glob, e.g. flux or "wan2.6*"
  --check NAME             check name, e.g. image-size
  --finding CODE           only results with this finding code (as reports show it)
  --reason TEXT            why the defect is accepted (10+ characters)
  --expires YYYY-MM-DD     valid through that day (default 30 days from today)
  --target TEXT            only for targets whose URL template contains this
  --waivers FILE           waivers file (default gate.waivers from config)
  --config FILE            config file (default genprobe.config.ts if present)
Exit codes: 0 added (or already there), 2 bad flags or a waiver the file would not accept.`;

export async function waiveCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags('waive', argv, {
    ...CONFIG_FLAG,
    ...HELP_FLAG,
    endpoint: { type: 'string' },
    check: { type: 'string' },
    finding: { type: 'string' },
    reason: { type: 'string' },
    expires: { type: 'string' },
    target: { type: 'string' },
    waivers: { type: 'string' },
  });
  if (values.help) {
    console.log(WAIVE_HELP);
    return 0;
  }
  for (const flag of ['endpoint', 'check', 'reason'] as const) if (!values[flag]) throw new UsageError(`--${flag} is required\n\n${WAIVE_HELP}`);
  const file = values.waivers ?? (await loadConfig(values.config)).config.gate.waivers;
  const waiver: Waiver = {
    endpoint: values.endpoint!,
    check: values.check!,
    ...(values.finding ? { finding: { code: values.finding } } : {}),
    reason: values.reason!,
    expires: values.expires ?? expiryInDays(30),
    ...(values.target ? { target: values.target } : {}),
  };
  const added = appendWaivers(file, [waiver]);
  console.log(added.length ? `waiver added to ${file}: ${waiver.endpoint} / ${waiver.check}${waiver.finding ? ` / ${waiver.finding.code}` : ''} until ${waiver.expires}` : `${file} already waives ${waiver.endpoint} / ${waiver.check}`);
  return 0;
}
