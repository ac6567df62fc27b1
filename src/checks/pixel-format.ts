import type { OutputSpec } from '../catalog/types.ts';
import type { Mp4Info } from '../media/mp4.ts';
import { fail, pass, skip, type CheckResult } from './types.ts';
import { forKinds, mp4Of, type CheckDefinition } from './definition.ts';

/**
 * The video routes' promise is H.264 that browsers and phones play: Baseline, Main or High profile,
 * 8-bit 4:2:0 (yuv420p) — what the fleet's encoders write (`-pix_fmt yuv420p`,
 * jatidevelopments/ryla@57209b5:apps/modal/handlers/wan26.py). High 4:4:4 Predictive / yuv444p
 * decodes in ffmpeg but not in Chrome, Safari or most phones, where the studio shows these videos.
 */
export const PLAYABLE_PROFILES: Readonly<Record<number, string>> = { 66: 'Baseline', 77: 'Main', 100: 'High' };
export const PLAYABLE_PIXEL_FORMAT = 'yuv420p';

export function checkPixelFormat(info: Pick<Mp4Info, 'codec' | 'avc' | 'avcProblem'>, output: Pick<OutputSpec, 'codec'>): CheckResult {
  if (output.codec !== 'avc1') return skip('pixel-format', 'output spec names no H.264 codec');
  const family = info.codec.split('.')[0];
  if (family !== 'avc1' && family !== 'avc3') return skip('pixel-format', `not H.264 (${info.codec || 'no codec'}); the codec check reports it`);
  const expected = { profiles: Object.values(PLAYABLE_PROFILES), pixelFormat: PLAYABLE_PIXEL_FORMAT };
  if (!info.avc) {
    const why = info.avcProblem ? `avcC unreadable: ${info.avcProblem}` : 'no avcC decoder configuration in the sample entry';
    return fail('pixel-format', `${why}; profile and pixel format unknown`, null, expected);
  }
  const { profile, profileIdc, pixelFormat, level } = info.avc;
  const measured = { profile, pixelFormat, level: level / 10 };
  const text = `H.264 ${profile} level ${level / 10}, ${pixelFormat}`;
  const problems: string[] = [];
  if (!(profileIdc in PLAYABLE_PROFILES)) problems.push(`profile ${profile} is not Baseline, Main or High`);
  if (pixelFormat !== PLAYABLE_PIXEL_FORMAT) problems.push(`pixel format ${pixelFormat} is not ${PLAYABLE_PIXEL_FORMAT}`);
  if (problems.length === 0) return pass('pixel-format', text, measured, expected);
  return fail('pixel-format', `${text}: browsers and phones cannot play it (${problems.join('; ')})`, measured, expected);
}

export const pixelFormatCheck: CheckDefinition = {
  name: 'pixel-format',
  needs: 'decoded',
  appliesTo: forKinds('mp4'),
  run: ({ input, media }) => checkPixelFormat(mp4Of(media, 'pixel-format'), input.output),
};
