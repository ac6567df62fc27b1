import { createFile, Log, MP4BoxBuffer, type Movie, type Sample, type Track } from 'mp4box';
import { bufferSource, DEFAULT_SCAN_LIMITS, fileSource, scanTopLevel, type ByteSource, type ScanLimits } from './bmff.ts';
import { readAvcConfig, type AvcConfig } from './avc.ts';
import { describeError } from '../errors/index.ts';
import { MediaDecodeError } from './errors.ts';

// mp4box prints a warning per malformed box to the console of whoever runs the gate or `serve`;
// genprobe reports what is wrong itself (decodable's reason), so only mp4box's errors remain.
Log.setLogLevel(Log.error);

/** What genprobe needs to know about an MP4 output, read from its headers (no pixels). */
export interface Mp4Info {
  brands: string[];
  /** moov with mvex: samples live in moof fragments. */
  fragmented: boolean;
  videoTracks: number;
  audioTracks: number;
  /** RFC 6381 codec string of the first video track, e.g. `avc1.64001e`. */
  codec: string;
  audioCodecs: string[];
  width: number;
  height: number;
  frames: number;
  /** Nominal frame rate: timescale / the most common sample duration. */
  fps: number;
  /** Sum of the video samples' durations (works for fragmented files where mvhd says 0). */
  durationSec: number;
  keyframes: number;
  fileSize: number;
  /** H.264 profile and pixel format from avcC/SPS (null for other codecs or a missing avcC). */
  avc: AvcConfig | null;
  /** Why avcC could not be read, when it is present but malformed. */
  avcProblem: string | null;
}

export interface Mp4ProbeOptions {
  limits?: Partial<ScanLimits>;
}

/** Probe an MP4 held in memory. Throws MediaDecodeError with the reason when it is not a sound MP4. */
export async function probeMp4(buf: Uint8Array, options: Mp4ProbeOptions = {}): Promise<Mp4Info> {
  return probeSource(bufferSource(buf), options);
}

/**
 * Probe an MP4 file of any size with bounded memory: only box headers and the header boxes
 * (moov, moofs) are read; media data is skipped by seeking, wherever the moov sits.
 */
export async function probeMp4File(path: string, options: Mp4ProbeOptions = {}): Promise<Mp4Info> {
  const src = await fileSource(path);
  try {
    return await probeSource(src, options);
  } finally {
    await src.close();
  }
}

async function probeSource(src: ByteSource, options: Mp4ProbeOptions): Promise<Mp4Info> {
  const limits = { ...DEFAULT_SCAN_LIMITS, ...options.limits };
  const scan = await scanTopLevel(src, limits);
  const hasMoov = scan.kept.some((k) => k.header.type === 'moov');
  if (!hasMoov) {
    const seen = scan.boxes.map((b) => b.type).slice(0, 8).join(', ');
    const why = scan.truncation ? `; ${scan.truncation}` : '';
    throw new MediaDecodeError('no-moov', `moov atom not found (top-level boxes: ${seen || 'none'})${why}`);
  }
  if (scan.truncation) throw new MediaDecodeError('truncated', scan.truncation);

  // mp4box sees only the header boxes, back to back: it needs no media data for track info, and
  // the sample tables were already checked against the cap, so it cannot be made to over-allocate.
  const total = scan.kept.reduce((n, k) => n + k.bytes.length, 0);
  const compact = new Uint8Array(total);
  let at = 0;
  for (const k of scan.kept) {
    compact.set(k.bytes, at);
    at += k.bytes.length;
  }
  const info = parseWithMp4box(compact);
  const hasMoof = scan.kept.some((k) => k.header.type === 'moof');
  if (!hasMoof) assertSampleDataPresent(info.movie, info.samplesOf, scan.fileSize);
  const moov = scan.kept.find((k) => k.header.type === 'moov')!.bytes;
  return { ...summarise(info.movie, info.samplesOf, scan.fileSize, hasMoof), ...avcOf(moov) };
}

function avcOf(moov: Uint8Array): Pick<Mp4Info, 'avc' | 'avcProblem'> {
  try {
    return { avc: readAvcConfig(moov), avcProblem: null };
  } catch (err) {
    return { avc: null, avcProblem: describeError(err) };
  }
}

function parseWithMp4box(bytes: Uint8Array): { movie: Movie; samplesOf: (track: Track) => Sample[] } {
  const file = createFile(false);
  let error: string | null = null;
  let movie: Movie | null = null;
  file.onError = (module, message) => {
    error ??= `${module}: ${message}`;
  };
  file.onReady = (info) => {
    movie = info;
  };
  try {
    const ab = MP4BoxBuffer.fromArrayBuffer(bytes.slice().buffer, 0);
    file.appendBuffer(ab, true);
    file.flush();
  } catch (err) {
    throw new MediaDecodeError('undecodable', `mp4box could not parse the headers: ${describeError(err)}`);
  }
  if (error) throw new MediaDecodeError('undecodable', `mp4box: ${error}`);
  if (!movie) throw new MediaDecodeError('no-moov', 'mp4box found no complete moov box');
  // getInfo() after flush includes samples from every moof (onReady may fire before the moofs).
  return { movie: file.getInfo(), samplesOf: (track) => file.getTrackSamplesInfo(track.id) };
}

/**
 * In a non-fragmented file the chunk offsets are absolute, so a sample ending past the end of the
 * file means the media data was cut off even when every box header looked whole (mdat size 0).
 */
function assertSampleDataPresent(movie: Movie, samplesOf: (t: Track) => Sample[], fileSize: number): void {
  for (const track of movie.tracks) {
    let end = 0;
    for (const s of samplesOf(track)) end = Math.max(end, s.offset + s.size);
    if (end > fileSize) {
      throw new MediaDecodeError('truncated', `file truncated: track ${track.id} sample data ends at byte ${end}, the file has ${fileSize}`);
    }
  }
}

function summarise(movie: Movie, samplesOf: (t: Track) => Sample[], fileSize: number, hasMoof: boolean): Omit<Mp4Info, 'avc' | 'avcProblem'> {
  const video = movie.videoTracks[0];
  if (!video) {
    const kinds = movie.tracks.map((t) => t.type ?? t.codec).join(', ') || 'none';
    throw new MediaDecodeError('no-video-track', `MP4 has no video track (tracks: ${kinds})`);
  }
  const samples = samplesOf(video);
  const timescale = samples[0]?.timescale ?? video.timescale;
  if (!timescale) throw new MediaDecodeError('undecodable', 'video track timescale is 0');
  let ticks = 0;
  let keyframes = 0;
  const durationCounts = new Map<number, number>();
  for (const s of samples) {
    ticks += s.duration;
    if (s.is_sync) keyframes++;
    durationCounts.set(s.duration, (durationCounts.get(s.duration) ?? 0) + 1);
  }
  // The last sample's duration is derived from mdhd and may be odd; the mode is the frame period.
  let modeDuration = 0;
  let modeCount = 0;
  for (const [d, n] of durationCounts) {
    if (d > 0 && (n > modeCount || (n === modeCount && d < modeDuration))) {
      modeDuration = d;
      modeCount = n;
    }
  }
  const durationSec = ticks / timescale;
  const fps = modeDuration > 0 ? timescale / modeDuration : samples.length > 0 && durationSec > 0 ? samples.length / durationSec : 0;
  return {
    brands: [...new Set(movie.brands)],
    fragmented: movie.isFragmented || hasMoof,
    videoTracks: movie.videoTracks.length,
    audioTracks: movie.audioTracks.length,
    codec: video.codec,
    audioCodecs: movie.audioTracks.map((t) => t.codec),
    width: video.video?.width ?? video.track_width,
    height: video.video?.height ?? video.track_height,
    frames: samples.length,
    fps: round(fps, 3),
    durationSec: round(durationSec, 4),
    keyframes,
    fileSize,
  };
}

const round = (n: number, dp: number) => Math.round(n * 10 ** dp) / 10 ** dp;
