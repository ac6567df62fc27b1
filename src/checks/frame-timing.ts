/** WebP frame delays or MP4 frame rate against the request (the judgements live in frames.ts). */
import { animationCheck } from './definition.ts';
import { checkMp4Timing, checkWebpTiming } from './frames.ts';

export const frameTimingCheck = animationCheck('frame-timing', (m, want) => (m.kind === 'webp-animated' ? checkWebpTiming(m.webp.delaysMs, want) : checkMp4Timing(m.mp4.fps, want)));
