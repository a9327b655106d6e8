// The precompute's media steps, all inside the story's staging folder: render-ready segment files
// and the audio (one ffmpeg), checked frame-exact against the segment muxer's list; each
// segment's HLS piece with its audio slice (the thumbnail and preview clip: story-showcase.ts).
// Never writes outside the staging folder.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FfmpegInfo, hlsSegmentsArgs, MediaInfo, parseSegmentList, renderReadySegmentsArgs, runFfmpeg } from '@talecast/video';
import { Segment } from './segment-planner';
import { ManifestSegment } from './story-manifest';
import { PrecomputeError } from './precompute-error';

/** HLS pieces muxed by one ffmpeg at the end of a precompute. */
const HLS_PIECES_PER_FFMPEG = 8;

export interface StoryMediaJob {
  ffmpeg: FfmpegInfo;
  /** The source video. */
  video: string;
  info: MediaInfo;
  staging: string;
  segments: Segment[];
  matrix: 'bt601' | 'bt709';
  range: 'tv' | 'pc';
  signal?: AbortSignal;
}

/** Segment media (media/seg-NNNN.mp4) and audio (media/audio.m4a, when the video has sound); returns the audio's file name or null. */
export async function encodeStoryMedia(
  job: StoryMediaJob,
  encoder: { preset: string; crf: number; threads: number; maxGopFrames: number },
): Promise<string | null> {
  const { info, staging, segments } = job;
  const video = info.video!;
  const mediaDir = path.join(staging, 'media');
  const audioFile = info.audio ? 'audio.m4a' : null;
  const listFile = path.join(staging, 'segments.csv');
  await runFfmpeg(
    job.ffmpeg.ffmpeg,
    renderReadySegmentsArgs({
      input: job.video,
      fpsNum: video.fpsNum,
      fpsDen: video.fpsDen,
      segmentStarts: segments.map((s) => s.start),
      segmentPattern: path.join(mediaDir, 'seg-%04d.mp4'),
      segmentList: listFile,
      audioOut: audioFile ? path.join(mediaDir, audioFile) : null,
      audioCodec: info.audio?.codec ?? null,
      encoder: { preset: encoder.preset, crf: encoder.crf, threads: encoder.threads, maxGopFrames: Math.max(encoder.maxGopFrames, 1) },
      fpsModeOption: job.ffmpeg.fpsModeOption,
      matrix: job.matrix,
      range: job.range,
    }),
    job.signal,
  );
  const listed = parseSegmentList(await fs.readFile(listFile, 'utf8'));
  await fs.rm(listFile);
  checkSegmentFrames(listed, segments, video.fps);
  return audioFile;
}

/**
 * Every segment must hold exactly its planned frames (a variable frame rate could shift a cut):
 * checked against the times the segment muxer listed, without probing each file.
 */
export function checkSegmentFrames(listed: { start: number; end: number }[], segments: Segment[], fps: number): void {
  if (listed.length !== segments.length)
    throw new PrecomputeError('FRAME_COUNT_MISMATCH', `the encoder produced ${listed.length} segments, ${segments.length} were planned`);
  for (const [i, seg] of segments.entries()) {
    const first = Math.round(listed[i].start * fps),
      end = Math.round(listed[i].end * fps);
    if (first !== seg.start || end !== seg.end) {
      throw new PrecomputeError(
        'FRAME_COUNT_MISMATCH',
        `segment ${seg.index} has frames ${first}..${end}, expected ${seg.start}..${seg.end}: is the video variable frame rate? Convert it to a constant frame rate first`,
      );
    }
  }
}

/** The manifest's segments: their media and HLS piece file names (sizes filled in by writeHlsPieces). */
export function manifestSegments(segments: Segment[]): ManifestSegment[] {
  return segments.map((seg) => {
    const file = `seg-${String(seg.index).padStart(4, '0')}.mp4`;
    return { ...seg, file: `media/${file}`, hlsFile: `media/${file.replace(/\.mp4$/, '.ts')}`, bytes: 0 };
  });
}

/**
 * Each segment's HLS piece (face-free ones are served as they are by every render), and each
 * segment's size into `segments`: a few runners, each muxing a batch of pieces per ffmpeg (a
 * process start costs about as much as muxing a piece).
 */
export async function writeHlsPieces(job: StoryMediaJob, segments: ManifestSegment[], audioFile: string | null, runners: number): Promise<void> {
  const { staging } = job;
  const fps = job.info.video!.fps;
  const audio = audioFile ? path.join(staging, 'media', audioFile) : null;
  const batchSize = Math.max(1, Math.min(HLS_PIECES_PER_FFMPEG, Math.ceil(segments.length / runners)));
  const queue = [...segments];
  await Promise.all(
    Array.from({ length: runners }, async () => {
      for (let batch = queue.splice(0, batchSize); batch.length > 0; batch = queue.splice(0, batchSize)) {
        const fail = (err: unknown) => {
          queue.length = 0; // the other runners stop after their current batch
          throw err;
        };
        for (const seg of batch) seg.bytes = (await fs.stat(path.join(staging, seg.file))).size;
        await runFfmpeg(
          job.ffmpeg.ffmpeg,
          hlsSegmentsArgs(
            batch.map((seg) => ({
              video: path.join(staging, seg.file),
              audio,
              startSeconds: seg.start / fps,
              durationSeconds: (seg.end - seg.start) / fps,
              out: path.join(staging, seg.hlsFile),
            })),
          ),
          job.signal,
        ).catch(fail);
      }
    }),
  );
}
