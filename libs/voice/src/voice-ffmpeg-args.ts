// Pure builders of the ffmpeg argument arrays of the voice path: decoding a recording for the
// checks, cleaning and stretching it into its slot, and mixing the fitted lines into the story's
// audio (the role's voice taken out through its stem, or ducked under the child's). Run by
// libs/video's runner; unit-tested as plain arrays.

/** Everything the voice path analyses is mono float at this rate. */
export const VOICE_RATE = 48000;

const MONO = `aformat=sample_fmts=flt:sample_rates=${VOICE_RATE}:channel_layouts=mono`;

/** Any audio file → mono float32 at 48 kHz on stdout, at most `maxSeconds` (a longer file shows as longer than the limit). */
export function decodeMonoArgs(input: string, maxSeconds: number): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', input, '-map', '0:a:0', '-vn', '-sn', '-dn', '-t', maxSeconds.toFixed(3), '-af', MONO, '-f', 'f32le', 'pipe:1'];
}

/** The light clean-up and the stretch, as an ffmpeg audio filter chain. */
export function fitFilter(opts: { start: number; end: number; tempo: number; denoise: boolean }): string {
  const steps = [MONO, `atrim=start=${opts.start.toFixed(4)}:end=${opts.end.toFixed(4)}`, 'asetpts=PTS-STARTPTS'];
  // Light: 10 dB of reduction at most, the floor tracked so a quiet room is not mistaken for voice.
  if (opts.denoise) steps.push('afftdn=nr=10:nf=-50:tn=1');
  // Formant-preserving so a child still sounds like a child when sped up or slowed down.
  if (Math.abs(opts.tempo - 1) > 1e-4) steps.push(`rubberband=tempo=${opts.tempo.toFixed(5)}:formant=preserved:pitchq=quality:transients=mixed`);
  steps.push(MONO);
  return steps.join(',');
}

/** The recording's voice (trimmed), cleaned and stretched → mono float32 at 48 kHz on stdout. */
export function fitRecordingArgs(input: string, opts: { start: number; end: number; tempo: number; denoise: boolean }): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', input, '-map', '0:a:0', '-vn', '-sn', '-dn', '-af', fitFilter(opts), '-f', 'f32le', 'pipe:1'];
}

export interface MixLine {
  /** A fitted line (mono WAV exactly as long as its slot). */
  file: string;
  from: number;
  to: number;
}

export interface VoiceMixPlan {
  story: string;
  /** Channels of the story's audio (the fitted lines are placed in every channel). */
  channels: number;
  /** The role's dialogue stem (its voice alone, aligned with the story): subtracted in the slots. */
  stem: string | null;
  lines: MixLine[];
  out: string;
  /** Fade of the stem's removal at the slot edges, seconds. */
  edgeSeconds?: number;
}

/** Weight 1 inside each slot, 0 outside, linear ramps of `edge` seconds inside the slot's edges. */
export function slotWeightExpression(slots: { from: number; to: number }[], edge: number): string {
  const e = edge.toFixed(4);
  return slots.map((s) => `clip((t-${s.from.toFixed(4)})/${e},0,1)*clip((${s.to.toFixed(4)}-t)/${e},0,1)`).join('+') || '0';
}

/**
 * The filter graph of the mix. Inputs: 0 the story, 1 the stem (when there is one), then the
 * fitted lines. Outside every slot each term but the story is exactly zero (stem) or the
 * compressor sees silence (ducking), so the story's audio passes unchanged there.
 */
export function voiceMixFilter(plan: VoiceMixPlan): string {
  const layout = plan.channels === 1 ? 'mono' : 'stereo';
  const fmt = `aformat=sample_fmts=fltp:sample_rates=${VOICE_RATE}:channel_layouts=${layout}`;
  const up = plan.channels === 1 ? '' : ',pan=stereo|c0=c0|c1=c0';
  const first = plan.stem ? 2 : 1;
  const parts: string[] = [`[0:a]${fmt}[story]`];
  plan.lines.forEach((l, i) => {
    const ms = Math.round(l.from * 1000);
    parts.push(`[${first + i}:a]aformat=sample_fmts=fltp:sample_rates=${VOICE_RATE}:channel_layouts=mono${up},adelay=delays=${ms}:all=1[l${i}]`);
  });
  const voices = plan.lines.map((_, i) => `[l${i}]`).join('');
  if (plan.lines.length > 1) parts.push(`${voices}amix=inputs=${plan.lines.length}:normalize=0:duration=longest[child]`);
  else parts.push(`${voices}anull[child]`);
  if (plan.stem) {
    // The story minus the role's own voice inside the slots (the stem is that voice alone).
    const w = slotWeightExpression(plan.lines, plan.edgeSeconds ?? 0.03);
    parts.push(`[1:a]aformat=sample_fmts=fltp:sample_rates=${VOICE_RATE}:channel_layouts=mono${up},asetnsamples=n=240,volume=volume='-(${w})':eval=frame[minus]`);
    parts.push(`[story][minus][child]amix=inputs=3:normalize=0:duration=first[mix]`);
  } else {
    // No stem: the story is pressed down (side-chain) while the child speaks.
    // The key is padded with silence: the compressor stops at the end of its shorter input.
    parts.push(`[child]asplit=2[childmix][keyline]`, `[keyline]apad[key]`);
    parts.push(`[story][key]sidechaincompress=threshold=0.015:ratio=8:attack=15:release=250:makeup=1[ducked]`);
    parts.push(`[ducked][childmix]amix=inputs=2:normalize=0:duration=first[mix]`);
  }
  return parts.join(';');
}

/** The story's audio with the fitted lines in their slots → AAC in MP4 (as the story's own audio file). */
export function voiceMixArgs(plan: VoiceMixPlan): string[] {
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', plan.story];
  if (plan.stem) args.push('-i', plan.stem);
  for (const l of plan.lines) args.push('-i', l.file);
  args.push('-filter_complex', voiceMixFilter(plan), '-map', '[mix]', '-c:a', 'aac', '-b:a', '192k', '-ar', String(VOICE_RATE), '-movflags', '+faststart', '-f', 'mp4', plan.out);
  return args;
}
