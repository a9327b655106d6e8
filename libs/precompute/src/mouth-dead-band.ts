// A still mouth stays still. The landmark net reads the inner lips of a mouth that never moves
// with an error of a few hundredths of the mouth's width that drifts with the face's scale and
// turn: on the generated stories' rigid photo hero the lips of story a (truth 0.046) were read
// parted by 0.015–0.027, those of story b (pressed, truth 0.016) crossed by 0.01–0.04 (the lower
// inner lip above the upper), the tale's drawn closed mouth open by 0.02–0.11. The render lays the
// child's lips on those points, so the child's mouth parted, closed and squeezed with the net's
// error (about a pixel at a 60 px eye distance, proportionally more in a close-up). A signed gap
// (signedLipGap) under MOUTH_DEAD_BAND is closed (the lips meet, uncrossed); above it the gap
// ramps back to the reading, which it reaches at MOUTH_DEAD_BAND × MOUTH_BAND_KNEE, so speech
// keeps its size. Pure; the gap is over the mouth's width, so the band holds at any face size.
import { closeMouth, openMouthTo, signedLipGap } from '@talecast/geometry';

/** Inner-lip gap over mouth width (see mouthOpenness) under which a mouth is read as closed. */
export const MOUTH_DEAD_BAND = 0.06;
/** The gap is the reading again from MOUTH_DEAD_BAND × this. */
export const MOUTH_BAND_KNEE = 3;

/** The gap the render shows for a read gap: 0 in the dead band, then a linear ramp back to the reading. */
export function mouthGapThroughDeadBand(gap: number): number {
  const band = MOUTH_DEAD_BAND,
    full = MOUTH_DEAD_BAND * MOUTH_BAND_KNEE;
  if (!(gap > band)) return 0;
  if (gap >= full) return gap;
  return ((gap - band) * full) / (full - band);
}

/** `landmarks` (68 points, in place) with the lips moved so that their gap is the one the dead band gives. */
export function settleMouth(landmarks: Float32Array): Float32Array {
  const gap = signedLipGap(landmarks);
  if (!Number.isFinite(gap)) return landmarks;
  const settled = mouthGapThroughDeadBand(gap);
  if (settled === 0) return closeMouth(landmarks);
  return settled === gap ? landmarks : openMouthTo(landmarks, settled);
}
