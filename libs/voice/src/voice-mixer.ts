// Makes a render's audio once, before its video pieces: the story's audio with each fitted line
// in its slot (the role's voice removed through its stem, or ducked), written to a temporary
// name and renamed, so the HLS pieces and the MP4 both carry the same mix.
import { promises as fs } from 'node:fs';
import { runFfmpeg } from '@talecast/video';
import { VoiceMixPlan, voiceMixArgs } from './voice-ffmpeg-args';

export async function mixStoryAudio(ffmpeg: string, plan: VoiceMixPlan): Promise<void> {
  const tmp = `${plan.out}.tmp`;
  try {
    await runFfmpeg(ffmpeg, voiceMixArgs({ ...plan, out: tmp }));
    await fs.rename(tmp, plan.out);
  } finally {
    await fs.rm(tmp, { force: true });
  }
}
