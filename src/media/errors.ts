/**
 * Why a body could not be decoded as the format it claims. Parsers throw this (never a bare
 * library error) so a check can report `reason` verbatim and a person can act on it.
 */
export type DecodeFailureCode =
  | 'not-bmff' // bytes are not an ISO BMFF (MP4) file
  | 'no-moov' // no movie header: truncated moov-at-end file, or only media data
  | 'truncated' // a box claims more bytes than the file holds
  | 'too-many-samples' // a sample table claims more samples than the cap (or than its box holds)
  | 'too-many-frames' // far more frames than the request can explain (frame-count bomb)
  | 'too-costly' // sampling frames would need more decoding than the request can explain
  | 'metadata-too-large' // header boxes larger than the cap (hostile or broken file)
  | 'no-video-track'
  | 'pixel-limit' // image dimensions above the decompression-bomb guard
  | 'undecodable' // the decoder rejected the bytes
  | 'not-animated' // a still image where an animation was expected
  | 'ffmpeg-missing'
  | 'ffmpeg-failed'
  | 'timeout';

export class MediaDecodeError extends Error {
  readonly code: DecodeFailureCode;
  constructor(code: DecodeFailureCode, message: string) {
    super(message);
    this.name = 'MediaDecodeError';
    this.code = code;
  }
}

/** A one-line reason for any thrown value, for check messages. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] || err.name;
  return String(err);
}
