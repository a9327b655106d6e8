// Pure builders of ffmpeg argument arrays. Building happens here; running happens in
// ffmpeg-process.ts. Unit-tested as plain arrays.

export interface H264Settings {
  preset: string;
  crf: number;
  threads: number;
}

/** Encoder arguments shared by every re-encoded segment so segments join without re-encoding. */
export function h264Args(s: H264Settings, gopFrames?: number): string[] {
  const args = ['-c:v', 'libx264', '-preset', s.preset, '-crf', String(s.crf), '-pix_fmt', 'yuv420p', '-profile:v', 'high'];
  if (gopFrames !== undefined) args.push('-g', String(gopFrames), '-keyint_min', String(Math.min(gopFrames, 25)), '-sc_threshold', '0');
  if (s.threads > 0) args.push('-threads', String(s.threads));
  return args;
}

/** Raw frames in on stdin → H.264 MP4 (used by the fixture generator). */
export function rawToMp4Args(
  input: { width: number; height: number; fps: number; pixelFormat: 'rgb24' | 'yuv420p' },
  audioArgs: string[],
  out: string,
  enc: H264Settings & { gopFrames?: number },
): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'rawvideo',
    '-pix_fmt',
    input.pixelFormat,
    '-s',
    `${input.width}x${input.height}`,
    '-r',
    String(input.fps),
    '-i',
    'pipe:0',
    ...audioArgs,
    ...h264Args(enc, enc.gopFrames),
    '-colorspace',
    'bt709',
    '-color_primaries',
    'bt709',
    '-color_trc',
    'bt709',
    '-color_range',
    'tv',
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-shortest',
    '-movflags',
    '+faststart',
    out,
  ];
}

/** Decode frames [start, start+count) of a file to raw frames on stdout. */
export function decodeRangeArgs(
  file: string,
  opts: { startFrame: number; frameCount: number; fps: number; pixelFormat: 'rgb24' | 'yuv420p'; width?: number; height?: number; output?: string },
): string[] {
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin'];
  if (opts.output) args.push('-y');
  if (opts.startFrame > 0) args.push('-ss', (opts.startFrame / opts.fps).toFixed(6));
  args.push('-i', file, '-map', '0:v:0', '-frames:v', String(opts.frameCount));
  if (opts.width && opts.height) args.push('-vf', `scale=${opts.width}:${opts.height}:flags=bilinear`);
  args.push('-f', 'rawvideo', '-pix_fmt', opts.pixelFormat, opts.output ?? 'pipe:1');
  return args;
}

/**
 * One pass over the story: the video re-encoded into one file per segment, each starting with
 * a keyframe (forced at every segment start, no other scene-cut keyframes), constant frame
 * rate; and the audio kept (copied when it is AAC, else encoded to AAC) in its own file.
 */
export function renderReadySegmentsArgs(opts: {
  input: string;
  fpsNum: number;
  fpsDen: number;
  segmentStarts: number[];
  segmentPattern: string;
  /** Where the segment muxer lists each file with its start and end time (CSV: name,start,end). */
  segmentList: string;
  audioOut: string | null;
  audioCodec: string | null;
  encoder: H264Settings & { maxGopFrames: number };
  fpsModeOption: '-fps_mode' | '-vsync';
  matrix: 'bt601' | 'bt709';
  range: 'tv' | 'pc';
}): string[] {
  const fps = opts.fpsNum / opts.fpsDen;
  const starts = opts.segmentStarts.filter((f) => f > 0);
  // A quarter frame early: rounding to the encoder time base can never land on the frame before.
  const times = starts.map((f) => ((f - 0.25) / fps).toFixed(6));
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-i',
    opts.input,
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-dn',
    opts.fpsModeOption,
    'cfr',
    '-r',
    `${opts.fpsNum}/${opts.fpsDen}`,
    ...h264Args(opts.encoder),
    '-x264-params',
    x264Params(opts.encoder.maxGopFrames),
    ...colourTagArgs(opts.matrix, opts.range),
  ];
  if (times.length) args.push('-force_key_frames', times.join(','));
  // Every segment file starts at 0, the first one too (see encodeSegmentRunArgs).
  args.push('-avoid_negative_ts', 'disabled', '-f', 'segment', '-segment_format', 'mp4', '-reset_timestamps', '1');
  if (times.length) args.push('-segment_times', times.join(','));
  else args.push('-segment_time', '1000000');
  args.push('-segment_list', opts.segmentList, '-segment_list_type', 'csv', opts.segmentPattern);
  if (opts.audioOut) {
    args.push('-map', '0:a:0', '-vn', '-sn', '-dn');
    if (opts.audioCodec === 'aac') args.push('-c:a', 'copy');
    else args.push('-c:a', 'aac', '-b:a', '160k');
    args.push('-movflags', '+faststart', opts.audioOut);
  }
  return args;
}

/** A single frame as a JPEG thumbnail, `width` pixels wide. */
export function thumbnailArgs(input: string, seconds: number, width: number, out: string): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-ss',
    seconds.toFixed(3),
    '-i',
    input,
    '-frames:v',
    '1',
    '-vf',
    `scale=${width}:-2`,
    '-q:v',
    '4',
    out,
  ];
}

/** One frame (`frameInFile`, counted from the file's first frame) of a video file as a JPEG `width` wide. */
export function sampleFrameArgs(input: string, frameInFile: number, width: number, out: string): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-i',
    input,
    '-vf',
    `select=eq(n\\,${frameInFile}),scale=${width}:-2`,
    '-frames:v',
    '1',
    '-q:v',
    '4',
    '-f',
    'image2',
    out,
  ];
}

/** Colour description written into every encoded segment, identical for story media and renders. */
export function colourTagArgs(matrix: 'bt601' | 'bt709', range: 'tv' | 'pc'): string[] {
  const c = matrix === 'bt709' ? 'bt709' : 'smpte170m';
  return ['-colorspace', c, '-color_primaries', c, '-color_trc', c, '-color_range', range];
}

/** x264 parameters shared by the render-ready story media and every rendered segment. */
export function x264Params(maxGopFrames: number): string {
  return `keyint=${maxGopFrames}:min-keyint=1:scenecut=0`;
}

/**
 * The render's encoder searches motion with x264's diamond (not hexagon) and refines it at
 * subpixel level 1 (not 2): 31% less encoder CPU at the same CRF and nearly the same quality.
 * Measured on the 60 s bench story's 1080 hero frames (its media decoded, as the render's
 * encoder gets them), one thread, CRF 20: veryfast 6.00 CPU-s, 859,168 bytes, SSIM 0.99907,
 * PSNR 55.99 dB; with these 4.13 CPU-s, 859,981 bytes, SSIM 0.99900, PSNR 55.84 dB. Neither
 * changes the stream headers (SPS/PPS), so rendered segments still join the story's by concat
 * copy. The CRF itself stays the story's: x264 writes its integer part into the PPS
 * (pic_init_qp), so even CRF 19.5 would not join (superfast at matched quality, CRF 25-26: the
 * same CPU, +12% bytes, and another PPS).
 */
export const RENDER_X264_ANALYSIS = 'me=dia:subme=1';

/**
 * The render's decoder keeps 32 MB of padding at the top of its heap (glibc's M_TOP_PAD): by
 * default its memory goes back to the system and is asked for again as it decodes, and each
 * fresh page costs a fault (~19 us on this project's VMs). Decoding the 9 segment files of a
 * render's run: 17.9k -> 10.7k faults, system time 0.19 -> 0.12 s (one file: 13.3k -> 9.4k); the
 * bench's render: the decoders' 43k -> 28.5k faults. No effect on the frames.
 * Tunables already in the environment are kept (for the same name glibc takes the last).
 */
export function decoderEnvironment(inherited: string | undefined): Record<string, string> {
  const padding = 'glibc.malloc.top_pad=33554432';
  return { GLIBC_TUNABLES: inherited ? `${inherited}:${padding}` : padding };
}

/** Decode a whole segment file to raw yuv420p frames on stdout. */
export function decodeSegmentArgs(file: string, threads = 1): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-threads',
    String(threads),
    '-i',
    file,
    '-map',
    '0:v:0',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'yuv420p',
    'pipe:1',
  ];
}

/** Raw yuv420p frames on stdin → one H.264 segment (same settings as the story media). */
export function encodeSegmentArgs(opts: {
  width: number;
  height: number;
  fpsNum: number;
  fpsDen: number;
  out: string;
  encoder: H264Settings & { maxGopFrames: number };
  matrix: 'bt601' | 'bt709';
  range: 'tv' | 'pc';
}): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'yuv420p',
    '-s',
    `${opts.width}x${opts.height}`,
    '-r',
    `${opts.fpsNum}/${opts.fpsDen}`,
    '-i',
    'pipe:0',
    ...h264Args(opts.encoder),
    '-x264-params',
    x264Params(opts.encoder.maxGopFrames),
    ...colourTagArgs(opts.matrix, opts.range),
    '-an',
    '-f',
    'mp4',
    opts.out,
  ];
}

/** A run of frames, the region of them coded finer (null: none), in frame pixels, and by how many QP steps. */
export interface RegionPart {
  frames: number;
  box: { x: number; y: number; w: number; h: number } | null;
  qpOffset: number;
}

/**
 * The filter that marks each part's region as a region of interest for the encoder: libx264 codes its
 * macroblocks the part's `qpOffset` QP finer than the frame's (addroi's offset is a fraction of x264's 51-step QP
 * range). addroi's box is fixed for its whole stream, so a run with several boxes is cut into its
 * parts (the `segment` filter, in order, each frame once), each part marked with its own box and the
 * parts joined again (concat; each part's timestamps from 0, as concat places them): metadata only,
 * no pixel is touched or copied. Null when no part has a region.
 */
export function faceRegionFilter(parts: readonly RegionPart[]): string | null {
  const marked = (p: RegionPart) => p.box && p.qpOffset > 0;
  if (!parts.some(marked)) return null;
  const mark = (p: RegionPart) => (marked(p) ? `addroi=x=${p.box!.x}:y=${p.box!.y}:w=${p.box!.w}:h=${p.box!.h}:qoffset=-${p.qpOffset}/51` : 'null');
  if (parts.length === 1) return mark(parts[0]);
  const cuts: number[] = [];
  let at = 0;
  for (const p of parts.slice(0, -1)) cuts.push((at += p.frames));
  const labels = (prefix: string) => parts.map((_, i) => `[${prefix}${i}]`).join('');
  const chains = parts.map((p, i) => `[r${i}]setpts=PTS-STARTPTS,${mark(p)}[q${i}]`);
  return [`segment=frames=${cuts.join('|')}${labels('r')}`, ...chains, `${labels('q')}concat=n=${parts.length}:v=1:a=0`].join(';');
}

/** The text of a concat demuxer list naming `files` in order (single quotes escaped). */
export function concatListText(files: readonly string[]): string {
  return files.map((f) => `file '${f.replace(/'/g, `'\\''`)}'`).join('\n') + '\n';
}

/**
 * Decode consecutive segment files as one stream of raw yuv420p frames on stdout (the concat
 * demuxer over a list file; the files share codec settings, so one decoder reads them all).
 */
export function decodeSegmentListArgs(concatList: string, fpsModeOption: '-fps_mode' | '-vsync', out = 'pipe:1', threads = 1): string[] {
  // Every decoded frame exactly once, in order: the rawvideo muxer would otherwise pick constant
  // frame rate and duplicate or drop frames where the files' timestamps meet.
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-threads',
    String(threads),
    '-f',
    'concat',
    '-safe',
    '0',
    '-i',
    concatList,
    '-map',
    '0:v:0',
    fpsModeOption,
    'passthrough',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'yuv420p',
    out,
  ];
}

/**
 * Raw yuv420p frames on stdin → one H.264 MP4 file per segment, from ONE encoder: a keyframe is
 * forced at every segment start and the segment muxer cuts exactly there (by frame number), so
 * each file starts with an IDR frame and joins the story's other segments by concat copy. The
 * settings are those of the story media, with a cheaper motion search (RENDER_X264_ANALYSIS).
 * Each finished file's name is printed on stdout (one line per file, after its trailer is
 * written), so the caller can publish segments as they complete.
 * `segmentFrames`: frame count of each segment, in order; files are `pattern` numbered from
 * `startNumber`. `faceRegions`: where the inserted faces are coded finer (`faceRegionFilter`).
 */
export function encodeSegmentRunArgs(opts: {
  width: number;
  height: number;
  fpsNum: number;
  fpsDen: number;
  segmentFrames: number[];
  pattern: string;
  startNumber: number;
  encoder: H264Settings & { maxGopFrames: number };
  matrix: 'bt601' | 'bt709';
  range: 'tv' | 'pc';
  /** Where the raw frames come from (default stdin; a FIFO path works too). */
  rawInput?: string;
  /** Input instead of raw frames (the bench's bare-ffmpeg floor decodes the files itself). */
  input?: string[];
  /** With `input`: the fps-mode option of this ffmpeg, to pass the decoded frames through one for one. */
  inputFpsMode?: '-fps_mode' | '-vsync';
  /** Name each finished file on stdout (default true). */
  reportFiles?: boolean;
  /** Also write the run's (single) segment as an HLS piece, beside its MP4 (see `EncoderHlsPiece`). */
  hlsPiece?: EncoderHlsPiece;
  /** The inserted faces' regions, coded finer (`faceRegionFilter`). */
  faceRegions?: readonly RegionPart[];
}): string[] {
  const fps = opts.fpsNum / opts.fpsDen;
  const cuts: number[] = [];
  let at = 0;
  for (const n of opts.segmentFrames.slice(0, -1)) cuts.push((at += n));
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    ...(opts.input ?? [
      '-f',
      'rawvideo',
      '-pix_fmt',
      'yuv420p',
      '-s',
      `${opts.width}x${opts.height}`,
      '-r',
      `${opts.fpsNum}/${opts.fpsDen}`,
      '-i',
      opts.rawInput ?? 'pipe:0',
    ]),
    ...(opts.hlsPiece ? ['-itsoffset', (-opts.hlsPiece.audioLeadSeconds).toFixed(6), '-i', opts.hlsPiece.storyPiece] : []),
    '-map',
    '0:v:0',
    ...(opts.hlsPiece ? ['-map', '1:a:0?', '-c:a', 'copy'] : ['-an']),
    '-sn',
    '-dn',
    ...(opts.inputFpsMode ? [opts.inputFpsMode, 'passthrough'] : []),
    ...regionArgs(opts.faceRegions),
    ...h264Args(opts.encoder),
    '-x264-params',
    `${x264Params(opts.encoder.maxGopFrames)}:${RENDER_X264_ANALYSIS}`,
    ...colourTagArgs(opts.matrix, opts.range),
  ];
  // A quarter frame early, as for the story media: rounding can never land on the frame before.
  if (cuts.length) args.push('-force_key_frames', cuts.map((f) => ((f - 0.25) / fps).toFixed(6)).join(','));
  // Every file starts at 0 (an edit list covers the B-frame delay), the first one of a run too:
  // by default ffmpeg shifts the whole output so the first file starts 2 frames late, and the
  // joined video then has a gap and a duplicate where such a file meets its neighbours.
  const segment = [
    ['segment_format', 'mp4'],
    ['reset_timestamps', '1'],
    ['segment_start_number', String(opts.startNumber)],
    cuts.length ? ['segment_frames', cuts.join(',')] : ['segment_time', '1000000'],
    ...((opts.reportFiles ?? true)
      ? [
          ['segment_list', 'pipe:1'],
          ['segment_list_type', 'flat'],
        ]
      : []),
  ];
  if (opts.hlsPiece) {
    if (cuts.length) throw new Error('an encoder writes an HLS piece only for a run of one segment');
    // One encode, two muxers: the tee gives the segment muxer the video alone (the MP4 as
    // without the piece, x264's headers out of band) and MPEG-TS both streams, placed as
    // `hlsPiecesFromStoryArgs` places them (its 0.7 s max_delay is the CLI's -muxdelay default).
    args.push('-flags:v', '+global_header', '-avoid_negative_ts', 'disabled', '-f', 'tee');
    const mp4 = teeSlave([['f', 'segment'], ['select', 'v'], ['onfail', 'abort'], ['avoid_negative_ts', 'disabled'], ...segment], opts.pattern);
    const ts = teeSlave(
      [
        ['f', 'mpegts'],
        ['onfail', 'abort'],
        ['max_delay', '700000'],
        ['avoid_negative_ts', 'disabled'],
        ['output_ts_offset', opts.hlsPiece.startSeconds.toFixed(6)],
      ],
      opts.hlsPiece.out,
    );
    args.push(`${mp4}|${ts}`);
    return args;
  }
  args.push('-avoid_negative_ts', 'disabled', '-f', 'segment', ...segment.flatMap(([k, v]) => [`-${k}`, v]));
  args.push(opts.pattern);
  return args;
}

function regionArgs(regions: readonly RegionPart[] | undefined): string[] {
  const filter = regions ? faceRegionFilter(regions) : null;
  return filter ? ['-vf', filter] : [];
}

/**
 * The HLS piece of a segment written by its own encoder (the first segment a parent waits for:
 * no remux process after the run, ~0.4-0.8 s on the click path). The story's piece of the same
 * segment gives the audio slice, copied; `audioLeadSeconds`: how much earlier than the video it
 * starts there (`tsStartTimes`), kept in the new piece.
 */
export interface EncoderHlsPiece {
  storyPiece: string;
  audioLeadSeconds: number;
  /** The segment's start in the story: where the piece's first video frame goes. */
  startSeconds: number;
  out: string;
}

/** One output of ffmpeg's tee muxer: `[key=value:…]file`, escaped for its two levels of parsing (slaves, then options). */
function teeSlave(options: string[][], file: string): string {
  const once = (v: string) => v.replace(/[\\'|[\]:=,]/g, (c) => `\\${c}`);
  return `[${options.map(([k, v]) => `${k}=${once(once(v))}`).join(':')}]${once(file)}`;
}

/**
 * Where an HLS piece's timestamps go: exactly where the segment is in the story, its first video
 * frame at the segment's start. By default ffmpeg shifts a piece whose B-frame delay (2 frames)
 * or AAC priming (1024 samples) would start before 0 — only the first piece — so its video
 * started at 0.067 s: the player waited at 0 before a gap (or for its own nudge), and the first
 * piece overlapped the second by 2 frames. MPEG-TS stores every time 1.4 s later (the muxer's
 * delay), so the priming's few milliseconds before 0 stay positive in the file.
 */
const TS_PLACEMENT = ['-avoid_negative_ts', 'disabled'];

/** One HLS MPEG-TS segment: the video segment copied, the matching slice of the story's audio. */
export function hlsSegmentArgs(opts: { video: string; audio: string | null; startSeconds: number; durationSeconds: number; out: string }): string[] {
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', opts.video];
  if (opts.audio)
    args.push(
      '-ss',
      opts.startSeconds.toFixed(6),
      '-t',
      opts.durationSeconds.toFixed(6),
      '-i',
      opts.audio,
      '-map',
      '0:v:0',
      '-map',
      '1:a:0',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
    );
  else args.push('-map', '0:v:0');
  args.push('-c:v', 'copy', ...TS_PLACEMENT, '-output_ts_offset', opts.startSeconds.toFixed(6), '-f', 'mpegts', opts.out);
  return args;
}

/**
 * Several HLS pieces from one ffmpeg (one process start for all): per piece, exactly what
 * `hlsSegmentArgs` does for one.
 */
export function hlsSegmentsArgs(pieces: { video: string; audio: string | null; startSeconds: number; durationSeconds: number; out: string }[]): string[] {
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];
  const outputs: string[] = [];
  let input = 0;
  for (const p of pieces) {
    args.push('-i', p.video);
    const v = input++;
    if (p.audio) {
      args.push('-ss', p.startSeconds.toFixed(6), '-t', p.durationSeconds.toFixed(6), '-i', p.audio);
      const a = input++;
      outputs.push('-map', `${v}:v:0`, '-map', `${a}:a:0`, '-c:a', 'aac', '-b:a', '128k');
    } else outputs.push('-map', `${v}:v:0`);
    outputs.push('-c:v', 'copy', ...TS_PLACEMENT, '-output_ts_offset', p.startSeconds.toFixed(6), '-f', 'mpegts', p.out);
  }
  return [...args, ...outputs];
}

/**
 * HLS pieces of re-rendered segments from the story's own pieces of the same segments, in one
 * ffmpeg (one process start for all): the new video and the story piece's audio, both copied (no
 * audio decoding or re-encoding). ffmpeg starts each input at zero; the video is delayed by
 * `videoDelaySeconds` (the story piece's first video time minus its earliest stream time, see
 * `tsStartTimes`) so audio and video keep exactly the offset they had in the story's piece, and
 * the piece's video starts at `startSeconds` like the story's (its audio that much earlier).
 */
export function hlsPiecesFromStoryArgs(
  pieces: { video: string; storyPiece: string; videoDelaySeconds: number; startSeconds: number; out: string }[],
): string[] {
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];
  const outputs: string[] = [];
  pieces.forEach((p, i) => {
    args.push('-itsoffset', p.videoDelaySeconds.toFixed(6), '-i', p.video, '-i', p.storyPiece);
    const offset = (p.startSeconds - p.videoDelaySeconds).toFixed(6);
    outputs.push('-map', `${2 * i}:v:0`, '-map', `${2 * i + 1}:a:0?`, '-c', 'copy', ...TS_PLACEMENT, '-output_ts_offset', offset, '-f', 'mpegts', p.out);
  });
  return [...args, ...outputs];
}

/** Segments in order (concat list file) + the story's audio → one MP4 with faststart. */
export function assembleArgs(opts: { concatList: string; audio: string | null; out: string }): string[] {
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-f', 'concat', '-safe', '0', '-i', opts.concatList];
  if (opts.audio) args.push('-i', opts.audio, '-map', '0:v:0', '-map', '1:a:0');
  else args.push('-map', '0:v:0');
  args.push('-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', opts.out);
  return args;
}

/**
 * The segment muxer's CSV list (`-segment_list_type csv`): per file, its first and end time in
 * seconds, in order. File names here never need CSV quoting (they come from our own pattern).
 */
export function parseSegmentList(text: string): { file: string; start: number; end: number }[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const [file, start, end] = line.split(',');
      return { file, start: Number(start), end: Number(end) };
    });
}

/** A short silent H.264 clip for a story card: `seconds` from `start`, `height` pixels tall, streamable. */
export function previewClipArgs(input: string, start: number, seconds: number, height: number, out: string): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-ss',
    start.toFixed(3),
    '-i',
    input,
    '-t',
    seconds.toFixed(3),
    '-map',
    '0:v:0',
    '-an',
    '-vf',
    `scale=-2:${height}`,
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '28',
    '-pix_fmt',
    'yuv420p',
    '-profile:v',
    'high',
    '-movflags',
    '+faststart',
    out,
  ];
}
