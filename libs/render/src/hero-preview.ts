// The still shown to a parent right after the photo: which story frame to use. Pure: the story's
// frame data in, a frame number out. "Good" = the hero is present, looks roughly at the camera
// (|yaw| ≤ 15°) and is drawn at least 60 % as large as at its largest, in a steady part of its
// shot (not in a dissolve or a walk-in: steadyFrames); the first such frame in story order, so
// the parent sees the hero as the story introduces it.
import { interOcularDistance } from '@talecast/geometry';
import { FrameData, STEADY_MARGIN_SECONDS, steadyFrames } from '@talecast/precompute';

export const PREVIEW_MAX_YAW_DEGREES = 15;
export const PREVIEW_MIN_SIZE_FRACTION = 0.6;

/** The preview frame for `role`, or null when the role never appears. */
export function pickPreviewFrame(frames: FrameData, role: string): number | null {
  const r = frames.roleIndex(role);
  if (r < 0) return null;
  const n = frames.manifest.video.frameCount;
  const present = (f: number) => frames.present(r, f);
  let steady = steadyFrames(present, n, Math.round(STEADY_MARGIN_SECONDS * (frames.manifest.video.fps ?? 30)), frames.manifest.cuts ?? []);
  if (!steady.includes(1)) steady = Uint8Array.from({ length: n }, (_, f) => (present(f) ? 1 : 0));
  const sizes = new Float64Array(n);
  let largest = 0;
  let largestAt = -1;
  for (let f = 0; f < n; f++) {
    if (!steady[f]) continue;
    sizes[f] = interOcularDistance(frames.field(r, f, 'landmarks'));
    if (sizes[f] > largest) {
      largest = sizes[f];
      largestAt = f;
    }
  }
  if (largestAt < 0) return null;
  for (let f = 0; f < n; f++) {
    if (sizes[f] <= 0 || sizes[f] < PREVIEW_MIN_SIZE_FRACTION * largest) continue;
    const yawDegrees = Math.abs(frames.field(r, f, 'yaw')[0]);
    if (yawDegrees <= PREVIEW_MAX_YAW_DEGREES) return f;
  }
  return largestAt;
}

/** The role a single-face preview shows: `hero` when the story has it, else its first role. */
export function previewRole(roles: string[]): string | null {
  return roles.includes('hero') ? 'hero' : (roles[0] ?? null);
}
