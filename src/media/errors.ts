import { GenprobeError } from '../errors/index.ts';

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

/** `code` is the reason (`truncated`, …), which the decodable check reports verbatim. */
export class MediaDecodeError extends GenprobeError {
  declare readonly code: DecodeFailureCode;
  constructor(code: DecodeFailureCode, message: string) {
    super(message, code);
  }
}
