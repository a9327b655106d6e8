// Builds the per-frame insertion data of one segment from the story's precomputed frame data and
// the faces chosen per role. Pure: manifest + frame data + choices in, typed arrays out.
import { FrameData, StoryManifest, ManifestSegment } from '@talecast/precompute';
import { chooseFacePerFrame, ExpressionPose } from '@talecast/compositor';
import { EXPRESSION_LABELS } from '@talecast/face';
import { SegmentRoleTrack } from './segment-task';
import { LineMouth, openMouth } from '@talecast/voice';

export interface RoleFaceSet {
  role: string;
  /** Faces of the set as expression/pose candidates, in the order of the task's face list. */
  candidates: ExpressionPose[];
  /** Index of each candidate in the task's face list. */
  faceListIndex: number[];
}

/** Story-wide per-frame choice of face per role (hysteresis across the whole story). */
export function chooseFaces(frames: FrameData, sets: RoleFaceSet[]): Map<string, Int32Array> {
  const out = new Map<string, Int32Array>();
  const n = frames.manifest.video.frameCount;
  for (const set of sets) {
    const r = frames.roleIndex(set.role);
    const choice = new Int32Array(n).fill(-1);
    if (r < 0 || set.candidates.length === 0) {
      out.set(set.role, choice);
      continue;
    }
    // Choose over each run of present frames.
    let start = -1;
    for (let i = 0; i <= n; i++) {
      const present = i < n && frames.present(r, i);
      if (present && start < 0) start = i;
      if (!present && start >= 0) {
        const poses: ExpressionPose[] = [];
        for (let f = start; f < i; f++) {
          const e = frames.field(r, f, 'expressions');
          poses.push({ expressionScores: Object.fromEntries(EXPRESSION_LABELS.map((l, k) => [l, e[k]])), yaw: frames.field(r, f, 'yaw')[0] });
        }
        const picked = set.candidates.length === 1 ? new Int32Array(i - start) : chooseFacePerFrame(set.candidates, poses);
        for (let f = start; f < i; f++) choice[f] = set.faceListIndex[picked[f - start]];
        start = -1;
      }
    }
    out.set(set.role, choice);
  }
  return out;
}

/**
 * `mouths`: per role, the recorded lines' mouths: in their frames the lower lip and jaw follow the
 * recording (blended at the slot edges) and the story's mouth interior is not cut in (the
 * character's own mouth does not match the child's words).
 */
export function segmentTracks(
  manifest: StoryManifest,
  frames: FrameData,
  segment: ManifestSegment,
  choices: Map<string, Int32Array>,
  mouths?: ReadonlyMap<string, LineMouth[]>,
): SegmentRoleTrack[] {
  const tracks: SegmentRoleTrack[] = [];
  const n = segment.end - segment.start;
  const { width, height, fps } = manifest.video;
  for (const [role, choice] of choices) {
    const r = frames.roleIndex(role);
    if (r < 0) continue;
    const occluders = manifest.roles.find((x) => x.name === role)?.occluders ?? [];
    const track: SegmentRoleTrack = {
      role,
      faceIndex: new Int32Array(n).fill(-1),
      landmarks: new Float32Array(n * 136),
      colour: new Float32Array(n * 6),
      yaw: new Float32Array(n),
      mouthOpen: new Float32Array(n),
      hasEyes: new Uint8Array(n),
      eyes: new Float32Array(n * 6),
      occluders: [],
    };
    let any = false;
    for (let k = 0; k < n; k++) {
      const f = segment.start + k;
      const t = f / fps;
      track.occluders.push(
        occluders.filter((o) => t >= o.from && t < o.to).map((o) => Float32Array.from(o.polygon.flatMap(([x, y]) => [x * width, y * height]))),
      );
      if (choice[f] < 0 || !frames.present(r, f)) continue;
      any = true;
      track.faceIndex[k] = choice[f];
      track.landmarks.set(frames.field(r, f, 'landmarks'), k * 136);
      track.colour.set(frames.field(r, f, 'colourYuv'), k * 6);
      track.yaw[k] = frames.field(r, f, 'yaw')[0];
      track.mouthOpen[k] = frames.field(r, f, 'mouthOpen')[0];
      const m = mouths?.get(role)?.find((x) => f >= x.startFrame && f < x.startFrame + x.open.length);
      if (m) {
        const i = f - m.startFrame;
        openMouth(track.landmarks.subarray(k * 136, k * 136 + 136), m.open[i], m.weight[i], track.landmarks.subarray(k * 136, k * 136 + 136));
        track.mouthOpen[k] *= 1 - m.weight[i];
      }
      if (frames.hasEyes(r, f)) {
        track.hasEyes![k] = 1;
        track.eyes!.set(frames.field(r, f, 'eyeOpen'), k * 6);
        track.eyes!.set(frames.field(r, f, 'gaze'), k * 6 + 2);
      }
    }
    if (any) tracks.push(track);
  }
  return tracks;
}
