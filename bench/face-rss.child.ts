/**
 * Child process of the face memory benchmark: loads the face model, then runs the whole face check
 * (faceMatchCheck) on one output file against the astronaut reference and prints its peak RSS.
 * `--baseline` loads the model and embeds the reference but checks no output.
 *   node --import tsx bench/face-rss.child.ts FILE KIND [--baseline]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { faceMatchCheck, type FaceOutputKind } from '../src/face/check.ts';
import { getEmbedder } from '../src/face/embedders.ts';
import { ROOT } from './lib.ts';

const [file, kind, flag] = process.argv.slice(2);
if (!file || !kind) throw new Error('usage: face-rss.child.ts FILE KIND [--baseline]');
const reference = await readFile(path.join(ROOT, 'fixtures/faces/astronaut.png'));
await getEmbedder();
// The reference is embedded first (and cached), so the baseline holds the model, its WASM heap and the reference.
await faceMatchCheck({ output: reference, outputKind: 'png', reference, targetPct: 85 });
const rssBeforeKb = process.resourceUsage().maxRSS;
let result: Record<string, unknown> = {};
if (flag !== '--baseline') {
  const output = await readFile(file);
  const t = performance.now();
  const checks = await faceMatchCheck({ output, outputKind: kind as FaceOutputKind, reference, targetPct: 85 });
  result = { ms: Math.round(performance.now() - t), bytes: output.length, checks: checks.map((c) => ({ check: c.check, verdict: c.verdict, message: c.message })) };
}
console.log(JSON.stringify({ ...result, rssBeforeKb, maxRssKb: process.resourceUsage().maxRSS }));
