import { getEndpoint } from '../catalog/index.ts';
import { loadConfig } from '../config/index.ts';
import { UsageError } from '../errors/index.ts';
import { FAULTS } from '../emulator/faults.ts';
import { CONFIG_FLAG, FAULT_FLAG, HELP_FLAG, listFlag, parseFaultFlag, parseFlags, parseTimeScale, positiveNumberFlag, SELECT_FLAGS } from './flags.ts';
import { defaultMatrixEndpoints, formatMatrix, matrixMisses, planMatrix, runFaultMatrix } from '../selftest/matrix.ts';

export const SELFTEST_HELP = `genprobe selftest [options]
  Start the bundled emulator, inject every fault into every live endpoint where it applies (each
  cell a gate of that endpoint), and print which check caught it.
  --only ID[,ID…]          only these endpoints (repeatable; default every live endpoint)
  --fault NAME[,NAME…]     only these faults (repeatable; default all ${FAULTS.length})
  --time-scale N           emulator time scale (default 0.01: a 425 s call takes 4.25 s)
  --overhead-ms N          slack on deadlines and budgets for the emulator's local rendering (default 30000)
  --deadline-overhead-ms N that slack for faults that end only at the deadline: slow, slow-drip,
                           oversized, redirect-loop (default 8000; it decides how long they take)
  --concurrency N          cells rendering at once (default 2; deadline-bound cells get twice as many)
  --no-baseline            skip the healthy row (each endpoint without a fault must not fail)
  --config FILE            config file (waivers, face settings, endpoint overrides)
Exit codes: 0 every applicable cell caught by its expected check, 1 a miss, 2 tool or config error.`;

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

export async function selftestCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags('selftest', argv, {
    ...FAULT_FLAG,
    ...CONFIG_FLAG,
    ...HELP_FLAG,
    only: SELECT_FLAGS.only,
    'time-scale': { type: 'string' },
    'overhead-ms': { type: 'string' },
    'deadline-overhead-ms': { type: 'string' },
    concurrency: { type: 'string' },
    'no-baseline': { type: 'boolean', default: false },
  });
  if (values.help) {
    console.log(SELFTEST_HELP);
    return 0;
  }
  const timeScale = values['time-scale'] === undefined ? 0.01 : parseTimeScale(values['time-scale']);
  const overheadMs = positiveNumberFlag('overhead-ms', values['overhead-ms'], 30_000, true);
  const deadlineOverheadMs = positiveNumberFlag('deadline-overhead-ms', values['deadline-overhead-ms'], 8_000, true);
  const concurrency = positiveNumberFlag('concurrency', values.concurrency, 2, true);
  const only = listFlag(values.only);
  // selftest always runs the bundled emulator: --fault needs no --emulator here.
  const faults = parseFaultFlag(values.fault, true);
  const endpoints = only.length ? only.map((id) => getEndpoint(id)) : defaultMatrixEndpoints();
  const { config } = await loadConfig(values.config);
  const baseline = !values['no-baseline'];

  const planned = planMatrix(endpoints, faults.length ? faults : FAULTS.map((f) => f.name), baseline);
  if (planned.length === 0) throw new UsageError('no applicable cells: none of the chosen faults applies to the chosen endpoints');
  console.log(`genprobe selftest: ${planned.length} cells (${plural(endpoints.length, 'endpoint')} × ${plural(faults.length || FAULTS.length, 'fault')} where they apply${baseline ? ', plus a healthy row' : ''}), time scale ${timeScale}`);
  let done = 0;
  const step = Math.max(1, Math.ceil(planned.length / 10));
  const cells = await runFaultMatrix({
    endpoints: endpoints.map((e) => e.id),
    faults,
    timeScale,
    overheadMs,
    deadlineOverheadMs,
    concurrency,
    baseline,
    config,
    onCell: (cell) => {
      done++;
      if (!cell.detected) console.log(`  ✗ ${cell.fault} × ${cell.endpoint}: ${cell.detail.replace(/\s+/g, ' ').slice(0, 160)}`);
      if (done % step === 0 || done === planned.length) console.log(`  ${done}/${planned.length} cells`);
    },
  });
  console.log(`\n${formatMatrix(cells)}`);
  const misses = matrixMisses(cells);
  console.log(misses.length ? `\nselftest FAILED: ${misses.length} cell(s) missed` : '\nselftest passed: every applicable fault was caught by its expected check');
  return misses.length ? 1 : 0;
}
