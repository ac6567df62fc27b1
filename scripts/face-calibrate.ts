/**
 * Recompute the face-match calibration and write the calibration file.
 *   npx tsx scripts/face-calibrate.ts [--embedder human-faceres|mobilefacenet-onnx] [--labelled-dir DIR] [--out FILE]
 * Without --labelled-dir it uses the default set (fixtures/faces + augmentations + zoom/pan MP4 frames).
 * The CLI (`genprobe face calibrate`) calls runCalibration() from src/face/calibration.ts directly.
 */
import { parseArgs } from 'node:util';
import { runCalibration } from '../src/face/calibration.ts';
import { EMBEDDER_NAMES, type EmbedderName } from '../src/face/embedders.ts';

const { values } = parseArgs({
  options: {
    embedder: { type: 'string', default: 'human-faceres' },
    'labelled-dir': { type: 'string' },
    out: { type: 'string' },
  },
});
const embedder = values.embedder as EmbedderName;
if (!EMBEDDER_NAMES.includes(embedder)) {
  console.error(`unknown --embedder ${values.embedder}; known: ${EMBEDDER_NAMES.join(', ')}`);
  process.exit(2);
}
const cal = await runCalibration({ embedder, labelledDir: values['labelled-dir'], out: values.out, log: (l) => console.log(l) });
const unused = cal.set.samples.filter((s) => !s.used);
console.log(
  `${cal.embedder.name} ${cal.embedder.version}: a=${cal.a} b=${cal.b} (${cal.fit.method}); ` +
    `${cal.pairs.genuine} genuine pairs, cos ${cal.cosine.genuine.min}..${cal.cosine.genuine.max} → ≥ ${cal.percent.genuineMin} %; ` +
    `${cal.pairs.impostor} impostor pairs, cos ${cal.cosine.impostor.min}..${cal.cosine.impostor.max} → ≤ ${cal.percent.impostorMax} %`,
);
for (const s of unused) console.log(`  not used: ${s.identity}/${s.variant}: ${s.reason}`);
