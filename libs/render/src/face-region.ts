// Where the inserted faces are in a run's frames, for the encoder (issue 18): a small face's region is
// coded with a finer quantiser (ffmpeg's ROI side data, `faceRegionFilter`), so it keeps at the story's
// CRF the detail the likeness depends on. Pure: the run's tracks in, boxes and offsets out. Never looks at pixels.
import { interOcularDistance } from '@talecast/geometry';
import type { RegionPart } from '@talecast/video';
import type { SegmentRoleTrack } from './segment-task';

/** x264's macroblock: a region is coded per whole block, so boxes are snapped outward to it. */
const BLOCK = 16;

export interface FaceRegionOptions {
  width: number;
  height: number;
  /** Added on every side of the landmarks' box, as a fraction of its larger side (forehead, hair line, motion). */
  margin: number;
  /** The finer quantiser, in QP steps, for a face whose eye distance is at most `fullBelow` px. */
  maxQpOffset: number;
  fullBelow: number;
  /** From `fullBelow` the offset falls linearly to none at this eye distance (px). */
  noneAbove: number;
}

/**
 * Measured on the 10 s tale at 640x360 (eval/identity-run.ts; docs/notes/2026-12-07-s11/roi11.md). The
 * encoder cost its far faces (eye distance 15-31 px) 0.017 / 0.011 of descriptor distance on average and
 * 4 / 2 identity frames (sample1 / sample6): the composited frames score 85/88 each before the encoder,
 * main's output 81 and 83. 10 QP finer on those faces gives back all of them (85/88 each), for +40 % video
 * bytes on that tale (+27 % file); 8 QP: 85 and 84 for +30 %; one offset for every face size: 4 QP
 * 83 / 85, 8 QP 85 / 84 for +54 %. A face of 48 px or more gets none: the close-ups lost little to the
 * encoder (0.009), and on the bench's photo story (smallest faces 47-62 px at 1280x720) offsets of 1-5 QP on
 * 3.7 % of its pixels cost the encoder +15 % CPU. A margin of 0.1 instead of 0.3 saved 1 % of the bytes
 * and cost sample1 2 frames.
 */
export const FACE_REGION = { margin: 0.3, maxQpOffset: 10, fullBelow: 32, noneAbove: 48 };

/** The 68 landmarks' bounding box of frame `k` of a track: [left, top, right, bottom]; null when no face is inserted there. */
export function insertedFaceBounds(track: SegmentRoleTrack, k: number): [number, number, number, number] | null {
  if (k >= track.faceIndex.length || track.faceIndex[k] < 0) return null;
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (let p = 0; p < 68; p++) {
    const x = track.landmarks[k * 136 + 2 * p];
    const y = track.landmarks[k * 136 + 2 * p + 1];
    left = Math.min(left, x);
    right = Math.max(right, x);
    top = Math.min(top, y);
    bottom = Math.max(bottom, y);
  }
  return right > left && bottom > top ? [left, top, right, bottom] : null;
}

/** The finer quantiser (whole QP steps) for a face of this eye distance: full for small faces, none for large ones. */
export function faceQpOffset(eyeDistance: number, o: Pick<FaceRegionOptions, 'maxQpOffset' | 'fullBelow' | 'noneAbove'>): number {
  const t = (o.noneAbove - eyeDistance) / (o.noneAbove - o.fullBelow);
  return Math.round(o.maxQpOffset * Math.min(1, Math.max(0, t)));
}

/**
 * Per segment of the run: the union of its inserted faces' boxes, widened by the margin, snapped
 * outward to macroblocks and kept inside the frame, and the offset its smallest face gets; `box` null
 * (offset 0) where a segment has no inserted face or only large ones. Neighbours with the same box and
 * offset are merged into one part.
 */
export function faceRegionParts(segments: readonly { frameCount: number; tracks: readonly SegmentRoleTrack[] }[], o: FaceRegionOptions): RegionPart[] {
  const parts: RegionPart[] = [];
  for (const segment of segments) {
    const union = [Infinity, Infinity, -Infinity, -Infinity];
    let smallest = Infinity;
    for (const track of segment.tracks)
      for (let k = 0; k < segment.frameCount; k++) {
        const b = insertedFaceBounds(track, k);
        if (!b) continue;
        const pad = o.margin * Math.max(b[2] - b[0], b[3] - b[1]);
        union[0] = Math.min(union[0], b[0] - pad);
        union[1] = Math.min(union[1], b[1] - pad);
        union[2] = Math.max(union[2], b[2] + pad);
        union[3] = Math.max(union[3], b[3] + pad);
        smallest = Math.min(smallest, interOcularDistance(track.landmarks.subarray(k * 136, k * 136 + 136)));
      }
    const qpOffset = smallest < Infinity ? faceQpOffset(smallest, o) : 0;
    const box = qpOffset > 0 ? snappedBox(union, o.width, o.height) : null;
    pushPart(parts, { frames: segment.frameCount, box, qpOffset: box ? qpOffset : 0 });
  }
  return parts;
}

/** [left, top, right, bottom] snapped outward to macroblocks and clipped to the frame; null when empty. */
export function snappedBox(b: number[], width: number, height: number): RegionPart['box'] {
  const left = Math.max(0, Math.floor(b[0] / BLOCK) * BLOCK);
  const top = Math.max(0, Math.floor(b[1] / BLOCK) * BLOCK);
  const right = Math.min(width, Math.ceil(b[2] / BLOCK) * BLOCK);
  const bottom = Math.min(height, Math.ceil(b[3] / BLOCK) * BLOCK);
  return right > left && bottom > top ? { x: left, y: top, w: right - left, h: bottom - top } : null;
}

function pushPart(parts: RegionPart[], part: RegionPart): void {
  const last = parts[parts.length - 1];
  const same = (a: RegionPart['box'], b: RegionPart['box']) => a === b || (!!a && !!b && a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h);
  if (last && last.qpOffset === part.qpOffset && same(last.box, part.box)) last.frames += part.frames;
  else parts.push(part);
}
