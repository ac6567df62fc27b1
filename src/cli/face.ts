import { UsageError } from '../errors/index.ts';
import { HELP_FLAG, parseFlags } from './flags.ts';

const HELP = `genprobe face calibrate [--embedder human-faceres|mobilefacenet-onnx] [--labelled DIR] [--out FILE]
  Recompute the face-match percentage calibration (logistic fit on genuine and impostor pairs) from
  the shipped fixture set, or from DIR/<identity>/<image> when --labelled is given, and write the
  calibration file (default: the checked-in src/face/calibration*.json). See src/face/README.md.`;

export async function faceCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'calibrate') {
    console.log(HELP);
    return sub === '--help' || sub === undefined ? 0 : 2;
  }
  const { values } = parseFlags('face calibrate', rest, { ...HELP_FLAG, embedder: { type: 'string' }, labelled: { type: 'string' }, out: { type: 'string' } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.embedder && values.embedder !== 'human-faceres' && values.embedder !== 'mobilefacenet-onnx') throw new UsageError(`--embedder: "${values.embedder}" is not human-faceres or mobilefacenet-onnx`);
  const { runCalibration } = await import('../face/calibration.ts');
  const cal = await runCalibration({ embedder: values.embedder as 'human-faceres' | 'mobilefacenet-onnx' | undefined, labelledDir: values.labelled, out: values.out, log: (m: string) => console.log(m) });
  console.log(JSON.stringify({ embedder: cal.embedder, a: cal.a, b: cal.b, fit: cal.fit.method, pairs: cal.pairs, percent: cal.percent }, null, 2));
  return 0;
}
