import type { OutputSpec } from '../catalog/types.ts';
import type { Mp4Info } from '../media/mp4.ts';
import { fail, pass, skip, type CheckResult } from './types.ts';
import { forKinds, mp4Of, type CheckDefinition } from './definition.ts';

/** Video codec family and audio presence of an MP4 against the output spec. */
export function checkCodec(
  info: Pick<Mp4Info, 'codec' | 'audioTracks' | 'audioCodecs'>,
  output: Pick<OutputSpec, 'codec' | 'audio'>,
  inputAudioTracks?: number,
): CheckResult[] {
  const results: CheckResult[] = [];
  if (output.codec) {
    // avc3 carries the same H.264 bitstream with in-band parameter sets.
    const family = info.codec.split('.')[0];
    const ok = family === output.codec || (output.codec === 'avc1' && family === 'avc3');
    results.push(
      ok
        ? pass('codec', `video codec ${info.codec}`, info.codec, output.codec)
        : fail('codec', `video codec ${info.codec || 'none'}, expected ${output.codec} (H.264)`, info.codec, output.codec),
    );
  }
  if (output.audio === 'none') {
    results.push(
      info.audioTracks === 0
        ? pass('codec', 'no audio track', 0, 0)
        : fail('codec', `${info.audioTracks} audio track(s) (${info.audioCodecs.join(', ')}), expected none`, info.audioTracks, 0),
    );
  } else if (output.audio === 'passthrough') {
    if (inputAudioTracks === undefined) {
      results.push(skip('codec', `${info.audioTracks} audio track(s) out; input audio unknown, passthrough not judged`));
    } else {
      const want = inputAudioTracks > 0;
      const has = info.audioTracks > 0;
      results.push(
        want === has
          ? pass('codec', has ? `source audio kept (${info.audioCodecs.join(', ')})` : 'no audio in, none out', info.audioTracks, inputAudioTracks)
          : fail('codec', want ? 'source audio dropped' : 'audio track added to a silent input', info.audioTracks, inputAudioTracks),
      );
    }
  }
  if (results.length === 0) results.push(skip('codec', 'output spec names no codec or audio rule'));
  return results;
}

export const codecCheck: CheckDefinition = {
  name: 'codec',
  needs: 'decoded',
  appliesTo: forKinds('mp4'),
  run: ({ input, media }) => {
    // Audio passthrough is judged against the input video's audio tracks, when one was sent.
    const videoInput = Object.values(input.inputs ?? {}).find((i) => i.audioTracks !== undefined);
    return checkCodec(mp4Of(media, 'codec'), input.output, videoInput?.audioTracks);
  },
};
