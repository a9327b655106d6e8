import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRangeArgs, decoderEnvironment, h264Args, parseSegmentList, previewClipArgs } from './ffmpeg-args';
import { parseEncoders, parseVersion } from './ffmpeg-locator';
import { probeArgs, toMediaInfo } from './media-probe';

test('h264Args pins the settings every segment shares', () => {
  assert.deepEqual(h264Args({ preset: 'veryfast', crf: 20, threads: 0 }, 60), [
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '20',
    '-pix_fmt',
    'yuv420p',
    '-profile:v',
    'high',
    '-g',
    '60',
    '-keyint_min',
    '25',
    '-sc_threshold',
    '0',
  ]);
  assert.ok(h264Args({ preset: 'fast', crf: 18, threads: 2 }).join(' ').endsWith('-threads 2'));
});

test('decodeRangeArgs seeks to the first frame and stops after the count', () => {
  const args = decodeRangeArgs('/x/seg.mp4', { startFrame: 90, frameCount: 30, fps: 30, pixelFormat: 'yuv420p' });
  assert.deepEqual(args.slice(args.indexOf('-ss'), args.indexOf('-ss') + 2), ['-ss', '3.000000']);
  assert.equal(args[args.indexOf('-frames:v') + 1], '30');
  assert.equal(args.at(-1), 'pipe:1');
  assert.ok(!decodeRangeArgs('/x', { startFrame: 0, frameCount: 1, fps: 30, pixelFormat: 'rgb24' }).includes('-ss'));
});

test('parses ffmpeg version and encoder list', () => {
  assert.equal(parseVersion('ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026'), '5.1.9-0+deb12u1');
  const enc = ' V....D libx264              libx264 H.264\n A..... aac                  AAC (Advanced Audio Coding)\n';
  assert.deepEqual(parseEncoders(enc), { libx264: true, aac: true });
  assert.deepEqual(parseEncoders(' V..... libx264rgb  x\n'), { libx264: false, aac: false });
});

test('toMediaInfo reads fps as a rational and ignores cover art', () => {
  const info = toMediaInfo({
    format: { format_name: 'mov,mp4', duration: '20.0', size: '1000' },
    streams: [
      { index: 0, codec_type: 'video', codec_name: 'mjpeg', disposition: { attached_pic: 1 }, width: 10, height: 10 },
      {
        index: 1,
        codec_type: 'video',
        codec_name: 'h264',
        width: 1280,
        height: 720,
        avg_frame_rate: '30000/1001',
        nb_frames: '600',
        pix_fmt: 'yuv420p',
        color_space: 'bt709',
      },
      { index: 2, codec_type: 'audio', codec_name: 'aac', sample_rate: '48000', channels: 2 },
    ],
  });
  assert.equal(info.video?.codec, 'h264');
  assert.ok(Math.abs((info.video?.fps ?? 0) - 29.97) < 0.01);
  assert.equal(info.video?.frameCount, 600);
  assert.equal(info.audio?.sampleRate, 48000);
  assert.equal(info.durationSeconds, 20);
});

test('encodeSegmentRunArgs forces a keyframe and cuts a file at every segment start, numbered from the first', async () => {
  const { encodeSegmentRunArgs, decodeSegmentListArgs } = await import('./ffmpeg-args');
  const args = encodeSegmentRunArgs({
    width: 1280,
    height: 720,
    fpsNum: 30,
    fpsDen: 1,
    segmentFrames: [60, 45, 60],
    pattern: '/r/seg-%04d.mp4.tmp',
    startNumber: 7,
    encoder: { preset: 'veryfast', crf: 20, threads: 1, maxGopFrames: 120 },
    matrix: 'bt709',
    range: 'tv',
  });
  const at = (o: string) => args[args.indexOf(o) + 1];
  assert.equal(at('-segment_frames'), '60,105');
  assert.equal(at('-force_key_frames'), '1.991667,3.491667');
  assert.equal(at('-segment_start_number'), '7');
  assert.equal(at('-segment_format'), 'mp4');
  assert.equal(at('-segment_list'), 'pipe:1');
  assert.equal(at('-x264-params'), 'keyint=120:min-keyint=1:scenecut=0:me=dia:subme=1');
  assert.equal(args.at(-1), '/r/seg-%04d.mp4.tmp');
  const one = encodeSegmentRunArgs({
    width: 2,
    height: 2,
    fpsNum: 30000,
    fpsDen: 1001,
    segmentFrames: [10],
    pattern: 'p%d',
    startNumber: 0,
    encoder: { preset: 'veryfast', crf: 20, threads: 0, maxGopFrames: 120 },
    matrix: 'bt601',
    range: 'tv',
  });
  assert.ok(!one.includes('-force_key_frames') && !one.includes('-segment_frames'));
  const dec = decodeSegmentListArgs('/l.txt', '-fps_mode');
  assert.equal(dec[dec.indexOf('-fps_mode') + 1], 'passthrough');
  assert.deepEqual(dec.slice(dec.indexOf('-f'), dec.indexOf('-i') + 2), ['-f', 'concat', '-safe', '0', '-i', '/l.txt']);
  assert.deepEqual(dec.slice(-5), ['-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1']);
});

test('probeArgs asks ffprobe for the format and every stream as JSON, errors only', () => {
  assert.deepEqual(probeArgs('/x/story.mp4'), ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', '/x/story.mp4']);
});

test("parseSegmentList reads the segment muxer's CSV list in order", () => {
  // As ffmpeg writes it (-segment_list_type csv): name, start and end time per file.
  const list = parseSegmentList('seg-0000.mp4,0.000000,1.000000\nseg-0001.mp4,1.000000,2.333333\n\nseg-0002.mp4,2.333333,4.000000\n');
  assert.deepEqual(
    list.map((s) => s.file),
    ['seg-0000.mp4', 'seg-0001.mp4', 'seg-0002.mp4'],
  );
  assert.deepEqual(
    list.map((s) => Math.round(s.end * 30) - Math.round(s.start * 30)),
    [30, 40, 50],
  );
});

test('previewClipArgs: a silent, scaled, streamable H.264 clip of the given span', () => {
  const a = previewClipArgs('/in/story.mp4', 12.5, 4, 480, '/out/preview.mp4');
  assert.deepEqual(a.slice(a.indexOf('-ss'), a.indexOf('-ss') + 6), ['-ss', '12.500', '-i', '/in/story.mp4', '-t', '4.000']);
  assert.ok(a.includes('-an'));
  assert.equal(a[a.indexOf('-vf') + 1], 'scale=-2:480');
  assert.equal(a[a.indexOf('-movflags') + 1], '+faststart');
  assert.equal(a.at(-1), '/out/preview.mp4');
});

test("decoderEnvironment pads the decoder's heap and keeps the tunables already set", () => {
  assert.deepEqual(decoderEnvironment(undefined), { GLIBC_TUNABLES: 'glibc.malloc.top_pad=33554432' });
  assert.deepEqual(decoderEnvironment('glibc.malloc.arena_max=2'), { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.top_pad=33554432' });
});

test('faceRegionFilter marks one region with addroi, several by cutting the run into parts and joining them in order', async () => {
  const { faceRegionFilter } = await import('./ffmpeg-args');
  const box = { x: 96, y: 48, w: 64, h: 80 };
  assert.equal(faceRegionFilter([{ frames: 30, box: null, qpOffset: 0 }]), null);
  assert.equal(faceRegionFilter([{ frames: 30, box, qpOffset: 0 }]), null);
  assert.equal(faceRegionFilter([{ frames: 30, box, qpOffset: 4 }]), 'addroi=x=96:y=48:w=64:h=80:qoffset=-4/51');
  assert.equal(
    faceRegionFilter([
      { frames: 10, box, qpOffset: 6 },
      { frames: 5, box: null, qpOffset: 0 },
      { frames: 7, box: { x: 0, y: 0, w: 32, h: 16 }, qpOffset: 3 },
    ]),
    'segment=frames=10|15[r0][r1][r2];' +
      '[r0]setpts=PTS-STARTPTS,addroi=x=96:y=48:w=64:h=80:qoffset=-6/51[q0];' +
      '[r1]setpts=PTS-STARTPTS,null[q1];' +
      '[r2]setpts=PTS-STARTPTS,addroi=x=0:y=0:w=32:h=16:qoffset=-3/51[q2];' +
      '[q0][q1][q2]concat=n=3:v=1:a=0',
  );
});

test('encodeSegmentRunArgs filters the frames through the face regions only when there is one', async () => {
  const { encodeSegmentRunArgs } = await import('./ffmpeg-args');
  const base = {
    width: 64,
    height: 64,
    fpsNum: 25,
    fpsDen: 1,
    segmentFrames: [10],
    pattern: '/tmp/x-%d.mp4',
    startNumber: 0,
    encoder: { preset: 'veryfast', crf: 20, threads: 1, maxGopFrames: 250 },
    matrix: 'bt709' as const,
    range: 'tv' as const,
  };
  const box = { x: 0, y: 0, w: 32, h: 32 };
  const withRegion = encodeSegmentRunArgs({ ...base, faceRegions: [{ frames: 10, box, qpOffset: 4 }] });
  assert.equal(withRegion[withRegion.indexOf('-vf') + 1], 'addroi=x=0:y=0:w=32:h=32:qoffset=-4/51');
  assert.ok(withRegion.indexOf('-vf') < withRegion.indexOf('-c:v'));
  assert.ok(!encodeSegmentRunArgs({ ...base, faceRegions: [{ frames: 10, box: null, qpOffset: 0 }] }).includes('-vf'));
  assert.ok(!encodeSegmentRunArgs(base).includes('-vf'));
});
