/**
 * Child process of the MP4 memory benchmark: validates one MP4 file through the path genprobe uses
 * for files (probeMp4File's bounded box walker, then every MP4 check that reads the probed headers)
 * and prints its peak RSS. `--baseline` loads the same modules but probes nothing, to show what the
 * runtime itself costs.
 *   node --import tsx bench/mp4-rss.child.ts FILE WIDTH HEIGHT FRAMES FPS [--baseline]
 */
import { stat } from 'node:fs/promises';
import { getEndpoint } from '../src/catalog/index.ts';
import { checkCodec } from '../src/checks/codec.ts';
import { checkDuration } from '../src/checks/duration.ts';
import type { ExpectedOutput } from '../src/checks/expected.ts';
import { checkFileSize } from '../src/checks/file-size.ts';
import { checkFrameCount, checkMp4Timing } from '../src/checks/frames.ts';
import { checkImageSize } from '../src/checks/image-size.ts';
import { probeMp4File } from '../src/media/mp4.ts';

const [file, w, h, frames, fps, flag] = process.argv.slice(2);
if (!file || !fps) throw new Error('usage: mp4-rss.child.ts FILE WIDTH HEIGHT FRAMES FPS [--baseline]');
const rssBeforeKb = process.resourceUsage().maxRSS;
let result: Record<string, unknown> = {};
if (flag !== '--baseline') {
  const t = performance.now();
  const info = await probeMp4File(file);
  const expected: ExpectedOutput = { kind: 'mp4', width: Number(w), height: Number(h), sizeTolerancePx: 0, frames: Number(frames), framesTolerance: 0, fps: Number(fps), durationSec: Number(frames) / Number(fps), notes: [] };
  // The codec/audio expectation of a real MP4 route (wan2.6 I2V + faceswap: H.264, no audio).
  const output = getEndpoint('wan2.6-i2v-faceswap').output;
  const checks = [
    checkImageSize(info, expected),
    checkFrameCount(info.frames, expected),
    checkMp4Timing(info.fps, expected),
    checkDuration(info, expected),
    ...checkCodec(info, output),
    checkFileSize((await stat(file)).size, output.minBytes),
  ];
  result = { info, ms: Math.round(performance.now() - t), checks: checks.map((c) => ({ check: c.check, verdict: c.verdict, message: c.message })) };
}
console.log(JSON.stringify({ ...result, rssBeforeKb, maxRssKb: process.resourceUsage().maxRSS }));
