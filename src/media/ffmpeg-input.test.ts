/**
 * ffmpeg is told the input format and allowed only local files (issue 13 item 9): a body that is
 * really an HLS playlist naming another file (or a URL) is not followed. Proven both ways: without
 * the options ffmpeg guesses "hls" and decodes the file the playlist names.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MP4_INPUT_ARGS, runFfmpeg } from './frames.ts';
import { decodeRejection, makeMp4, scratchDir } from './testing.ts';

const scratch = scratchDir('genprobe-ffmpeg-input-');
afterAll(() => scratch.cleanup());

describe('ffmpeg input options', () => {
  const secret = join(scratch.dir, 'elsewhere.mp4');
  writeFileSync(secret, makeMp4(scratch.dir, 'elsewhere-src', { width: 64, height: 48, frames: 2 }));
  const playlist = join(scratch.dir, 'input.mp4');
  writeFileSync(playlist, `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nfile://${secret}\n#EXT-X-ENDLIST\n`);
  const decodeOne = ['-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', 'pipe:1'];

  it('without them, ffmpeg reads the playlist the body claims to be and opens the file it names', async () => {
    const out = await runFfmpeg(['-i', playlist, ...decodeOne], { timeoutMs: 20_000 });
    expect(out.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('with them, the same body is invalid MP4 data and nothing else is opened', async () => {
    const err = await decodeRejection(runFfmpeg([...MP4_INPUT_ARGS, '-i', playlist, ...decodeOne], { timeoutMs: 20_000 }));
    expect(err.code).toBe('ffmpeg-failed');
    expect(MP4_INPUT_ARGS).toEqual(['-protocol_whitelist', 'file', '-f', 'mov']);
  });
});
