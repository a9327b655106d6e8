// Where a role's face was last recorded in a shot, and whether a new start of that role is plausible
// from it (range-analyzer): a face that leaves (the picture, behind something) must not be replaced,
// a few frames later, by another character's face walking into the same place. Pure.
import { Box } from '@talecast/face';

export interface LastSeen {
  /** Centre and size (√(w·h)) of the face box, px; the centre's speed, px per frame; the frame. */
  cx: number;
  cy: number;
  size: number;
  vx: number;
  vy: number;
  at: number;
}

/** How long (frames) a role's last recorded face bounds where it may start again. */
export const LAST_SEEN_FRAMES = 15;
/** A restart within LAST_SEEN_FRAMES: at most this many face sizes from where the face was heading, plus REACH_GROWTH per frame since. */
export const START_REACH = 1;
export const REACH_GROWTH = 0.25;

/** The record after the face `face` is recorded on frame i (speed from the previous record when it is at most 2 frames old). */
export function lastSeenAfter(prev: LastSeen | undefined, face: Box, i: number): LastSeen {
  const cx = face.x + face.width / 2,
    cy = face.y + face.height / 2;
  const gap = prev ? i - prev.at : Infinity;
  const recent = prev !== undefined && gap > 0 && gap <= 2;
  return { cx, cy, size: Math.sqrt(face.width * face.height), vx: recent ? (cx - prev.cx) / gap : 0, vy: recent ? (cy - prev.cy) / gap : 0, at: i };
}

/** Whether the role may start on `box` at frame i: near where its last seen face was heading, or that face is too long ago (or unknown). */
export function plausibleRestart(seen: LastSeen | undefined, box: Box, i: number): boolean {
  const dt = seen ? i - seen.at : Infinity;
  if (!seen || dt > LAST_SEEN_FRAMES) return true;
  const d = Math.hypot(box.x + box.width / 2 - (seen.cx + seen.vx * dt), box.y + box.height / 2 - (seen.cy + seen.vy * dt));
  return d <= seen.size * (START_REACH + REACH_GROWTH * dt);
}
