import { CATALOG, latencyBudgetSec } from '../catalog/index.ts';

export async function catalogCommand(argv: string[]): Promise<number> {
  if (argv.includes('--json')) {
    console.log(JSON.stringify(CATALOG.map(({ request: _r, ...rest }) => rest), null, 2));
    return 0;
  }
  for (const e of CATALOG) {
    console.log(
      `${e.id.padEnd(26)} ${e.app.padEnd(16)} ${e.gpu.padEnd(9)} ${e.lifecycle.padEnd(12)} ${e.output.kind.padEnd(13)} warm≤${latencyBudgetSec(e, 'warm').toFixed(0)}s${e.face ? ` face≥${e.face.target[0]}%` : ''}`,
    );
  }
  return 0;
}
