/** WebP frame delays or MP4 frame rate against the request (the judgements live in frames.ts). */
import { forKinds, provided, type CheckDefinition } from './definition.ts';
import { checkMp4Timing, checkWebpTiming } from './frames.ts';

export const frameTimingCheck: CheckDefinition = {
  name: 'frame-timing',
  needs: 'decoded',
  appliesTo: forKinds('webp-animated', 'mp4'),
  run: ({ media, expected }) => {
    const m = provided(media, 'decoded media', 'frame-timing');
    const want = provided(expected, 'the expected output', 'frame-timing');
    if (m.kind === 'webp-animated') return checkWebpTiming(m.webp.delaysMs, want);
    if (m.kind === 'mp4') return checkMp4Timing(m.mp4.fps, want);
    throw new Error(`check frame-timing: no timing in ${m.kind} media`);
  },
};
