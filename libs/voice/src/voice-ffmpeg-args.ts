// Pure builders of the ffmpeg argument arrays of the voice path: decoding a recording for the
// checks, cleaning and stretching it into its slot, and mixing the fitted lines into the story's
// audio (the role's voice taken out through its stem, or ducked under the child's). Run by
// libs/video's runner; unit-tested as plain arrays.

/** Everything the voice path analyses is mono float at this rate. */
export const VOICE_RATE = 48000;

const MONO = `aformat=sample_fmts=flt:sample_rates=${VOICE_RATE}:channel_layouts=mono`;

/** Any audio file → mono float32 at 48 kHz on stdout, at most `maxSeconds` (a longer file shows as longer than the limit). */
export function decodeMonoArgs(input: string, maxSeconds: number): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-i',
    input,
    '-map',
    '0:a:0',
    '-vn',
    '-sn',
    '-dn',
    '-t',
    maxSeconds.toFixed(3),
    '-af',
    MONO,
    '-f',
    'f32le',
    'pipe:1',
  ];
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
  /** The role speaking it (its stem, when there is one, is taken out in this slot). */
  role?: string;
}

export interface VoiceMixPlan {
  story: string;
  /** Channels of the story's audio (the fitted lines are placed in every channel). */
  channels: number;
  /** Dialogue stems (a role's voice alone, aligned with the story): subtracted in that role's slots. */
  stems: { role: string; file: string }[];
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
 * The filter graph of the mix. Inputs: 0 the story, then the stems, then the fitted lines. A
 * role with a stem has its voice subtracted in its slots; lines of a role without one duck the
 * story (side-chain). Outside every slot each added term is exactly zero and the compressor hears
 * silence, so the story's audio passes unchanged there.
 */
export function voiceMixFilter(plan: VoiceMixPlan): string {
  const layout = plan.channels === 1 ? 'mono' : 'stereo';
  const up = plan.channels === 1 ? '' : ',pan=stereo|c0=c0|c1=c0';
  const mono = `aformat=sample_fmts=fltp:sample_rates=${VOICE_RATE}:channel_layouts=mono${up}`;
  const parts: string[] = [`[0:a]aformat=sample_fmts=fltp:sample_rates=${VOICE_RATE}:channel_layouts=${layout}[story]`];
  const withStem = new Set(plan.stems.map((s) => s.role));
  const terms: string[] = [];
  plan.stems.forEach((stem, i) => {
    const slots = plan.lines.filter((l) => l.role === stem.role);
    if (slots.length === 0) return;
    const w = slotWeightExpression(slots, plan.edgeSeconds ?? 0.03);
    parts.push(`[${1 + i}:a]${mono},asetnsamples=n=240,volume=volume='-(${w})':eval=frame[minus${i}]`);
    terms.push(`[minus${i}]`);
  });
  const first = 1 + plan.stems.length;
  const ducking: string[] = [];
  plan.lines.forEach((l, i) => {
    const ms = Math.round(l.from * 1000);
    const ducks = !l.role || !withStem.has(l.role);
    parts.push(`[${first + i}:a]${mono},adelay=delays=${ms}:all=1${ducks ? `,asplit=2[l${i}][k${i}]` : `[l${i}]`}`);
    terms.push(`[l${i}]`);
    if (ducks) ducking.push(`[k${i}]`);
  });
  let story = '[story]';
  if (ducking.length) {
    // The key is padded with silence: the compressor stops at the end of its shorter input.
    parts.push(`${ducking.join('')}${ducking.length > 1 ? `amix=inputs=${ducking.length}:normalize=0:duration=longest,` : ''}apad[key]`);
    parts.push(`[story][key]sidechaincompress=threshold=0.015:ratio=8:attack=15:release=250:makeup=1[ducked]`);
    story = '[ducked]';
  }
  parts.push(`${story}${terms.join('')}amix=inputs=${1 + terms.length}:normalize=0:duration=first[mix]`);
  return parts.join(';');
}

/** The story's audio with the fitted lines in their slots → AAC in MP4 (as the story's own audio file). */
export function voiceMixArgs(plan: VoiceMixPlan): string[] {
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', plan.story];
  for (const s of plan.stems) args.push('-i', s.file);
  for (const l of plan.lines) args.push('-i', l.file);
  args.push(
    '-filter_complex',
    voiceMixFilter(plan),
    '-map',
    '[mix]',
    '-c:a',
    'aac',
    '-b:a',
    '192k',
    '-ar',
    String(VOICE_RATE),
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    plan.out,
  );
  return args;
}

/** The story's AAC frames, copied as they are into an ADTS stream (one header per frame). */
export function adtsCopyArgs(input: string, out: string): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', input, '-map', '0:a:0', '-vn', '-sn', '-dn', '-c:a', 'copy', '-f', 'adts', out];
}

/**
 * The mix of some stretches of the story (`start`..`end` samples of its timeline, at VOICE_RATE),
 * each encoded alone as AAC in ADTS at the story's bit rate into its own file: the frames that
 * replace the story's there. One decoding of the inputs, read only up to the last stretch's end.
 */
export function windowMixArgs(plan: Omit<VoiceMixPlan, 'out'>, windows: { start: number; end: number; out: string }[], bitRate: number): string[] {
  const upTo = ['-t', (Math.max(...windows.map((w) => w.end)) / VOICE_RATE + 0.25).toFixed(4)];
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...upTo, '-i', plan.story];
  for (const s of plan.stems) args.push(...upTo, '-i', s.file);
  for (const l of plan.lines) args.push('-i', l.file);
  const split = windows.length > 1 ? [`[mix]asplit=${windows.length}${windows.map((_, i) => `[mix${i}]`).join('')}`] : [];
  const trims = windows.map((w, i) => `[mix${windows.length > 1 ? i : ''}]atrim=start_sample=${w.start}:end_sample=${w.end},asetpts=PTS-STARTPTS[window${i}]`);
  args.push('-filter_complex', [voiceMixFilter({ ...plan, out: '' }), ...split, ...trims].join(';'));
  windows.forEach((w, i) => args.push('-map', `[window${i}]`, '-c:a', 'aac', '-b:a', String(bitRate), '-ar', String(VOICE_RATE), '-f', 'adts', w.out));
  return args;
}

/** An ADTS stream into MP4 without re-encoding; `firstPts` (seconds, ≤ 0) restores the priming the MP4's edit list hides. */
export function adtsToMp4Args(input: string, firstPtsSeconds: number, out: string): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-itsoffset',
    firstPtsSeconds.toFixed(6),
    '-i',
    input,
    '-map',
    '0:a:0',
    '-c:a',
    'copy',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    out,
  ];
}
