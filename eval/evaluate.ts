// `npm run eval`: the insertion-quality evaluation on two generated stories (variants a and b,
// 10 s each) with two children's faces. Writes eval/results.json and eval/contact-sheet.png,
// prints a table and exits 1 when a target is missed (so scripts and tests can rely on it).
// Options: --seconds 10 --variants a,b --faces sample1.jpg,sample6.jpg --every 3 --window 15
//          --tale 10 --tale-size 640x360 --tale-truth 1 (the generated animated fairy tale "The Golden Key", with its
//          drawn truth: a story of the insertion eval, then the precompute's coverage and landmark
//          error against the truth per role and shot (eval/tale-eval.ts; --tale-truth 0: the insertion figures only); --tale 0 = not run)
//          --story name=video.mp4:masks.json (stories without ground truth)
//          --out eval/results.json --sheet eval/contact-sheet.png (--sheet '' = none)
//          --keep-renders DIR (each render's video kept there to look at)
//          --wobble-mouth A (validation of the still-mouth instrument only: the renders' hero lips open
//          0 → A of the mouth's width and close every 20 frames; the still mouth must then read MISSED)
import 'reflect-metadata';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FixtureVariant } from '@talecast/fixtures';
import { evaluateInsertion, EvaluationReport, RunResult, TARGETS } from './insertion-eval';
import { evaluateTale, printTaleTable, TaleEvaluation } from './tale-eval';
import { COVERAGE_TARGET, formatCoverage } from './coverage-metric';
import { STILL_MOUTH_RATIO } from './follow-metrics';

const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    variants: { type: 'string', default: 'a,b' },
    faces: { type: 'string', default: 'sample1.jpg,sample6.jpg' },
    every: { type: 'string', default: '3' },
    window: { type: 'string', default: '15' },
    out: { type: 'string', default: 'eval/results.json' },
    sheet: { type: 'string', default: 'eval/contact-sheet.png' },
    /** Extra stories without ground truth: name=video:masks, comma-separated (e.g. the animated fairy tale). */
    story: { type: 'string', default: '' },
    /** The generated animated tale: seconds (0 = not run) and size. */
    tale: { type: 'string', default: '10' },
    'tale-size': { type: 'string', default: '640x360' },
    /** The tale's precompute against its drawn truth (eval/tale-eval.ts) after the insertion figures: 0 = not run. */
    'tale-truth': { type: 'string', default: '1' },
    /** Validation only: the renders' hero lips made to open 0 → this share of the mouth's width every 20 frames (0 = off). */
    'wobble-mouth': { type: 'string', default: '0' },
    /** A folder to keep each render's video in (`<story> × <face>.mp4`), to look at. */
    'keep-renders': { type: 'string', default: '' },
  },
});

async function main(): Promise<number> {
  const variants = opts
    .variants!.split(',')
    .map((v) => v.trim())
    .filter(Boolean) as FixtureVariant[];
  if (variants.some((v) => v !== 'a' && v !== 'b')) throw new Error('--variants: a and/or b (or none: --variants "")');
  const report = await evaluateInsertion({
    seconds: Number(opts.seconds),
    variants,
    taleSeconds: Number(opts.tale),
    taleSize: (() => {
      const [w, h] = opts['tale-size']!.split('x').map(Number);
      return { width: w, height: h };
    })(),
    external: opts.story
      ? opts.story
          .split(',')
          .filter(Boolean)
          .map((spec) => {
            const [name, files] = spec.split('=');
            const [video, masks] = (files ?? '').split(':');
            if (!name || !video || !masks) throw new Error('--story name=video:masks[,…]');
            return { name, video: path.resolve(video), masks: path.resolve(masks) };
          })
      : [],
    faces: opts
      .faces!.split(',')
      .map((f) => f.trim())
      .filter(Boolean),
    sampleEvery: Number(opts.every),
    windowFrames: Number(opts.window),
    contactSheet: opts.sheet ? path.resolve(opts.sheet) : null,
    log: (line) => console.log(line),
    mouthWobble: Number(opts['wobble-mouth']),
    keepRenders: opts['keep-renders'] ? path.resolve(opts['keep-renders']) : null,
  });
  const taleSeconds = Number(opts.tale);
  const [taleWidth, taleHeight] = opts['tale-size']!.split('x').map(Number);
  const tale: TaleEvaluation | null =
    taleSeconds > 0 && opts['tale-truth'] !== '0'
      ? await evaluateTale({ seconds: taleSeconds, width: taleWidth, height: taleHeight, log: (line) => console.log(line) })
      : null;
  const out = path.resolve(opts.out!);
  await fs.mkdir(path.dirname(out), { recursive: true });
  await fs.writeFile(out, JSON.stringify({ ...report, tale }, null, 2));
  printTable(report);
  if (tale) printTaleTable(tale);
  console.log(`\nresults: ${path.relative(process.cwd(), out)}${opts.sheet ? `, contact sheet: ${opts.sheet}` : ''} (${report.seconds} s)`);
  if (!report.pass) console.log(`MISSED: ${report.failures.join('; ')}`);
  return report.pass ? 0 : 1;
}

/** The pose cell: the output's centre, size and roll against where the child's face is meant to be, the story's own face's in brackets. */
function poseCell(p: RunResult['placement']['pose'], verdict: string): string {
  const pc = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : 'n/a');
  const deg = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)}°` : 'n/a');
  return `${pc(p.centre)} | ${pc(p.scale)} | ${deg(p.rollDegrees)} (${pc(p.floor.centre)} | ${pc(p.floor.scale)} | ${deg(p.floor.rollDegrees)}) ${verdict}`.trimEnd();
}

function printTable(r: EvaluationReport): void {
  const pct = (v: number, d = 1) => (Number.isFinite(v) ? `${(v * 100).toFixed(d)}%` : 'n/a');
  const db = (v: number | null) => (v === null ? '—' : Number.isFinite(v) ? `${v.toFixed(1)} dB` : 'identical');
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  const follow = (f: { correlation: number; applicable: boolean; storyVariation: number }) =>
    `${Number.isFinite(f.correlation) ? f.correlation.toFixed(2) : 'n/a'}${f.applicable ? '' : ` (story still, sd ${f.storyVariation.toFixed(3)})`}`;
  console.log(`\ninsertion quality on ${r.machine.cores} cores, faces on ${r.faceBackend}, ffmpeg ${r.ffmpeg}`);
  const header = [
    'story × child',
    'identity',
    'placement vs target (floor) | jaw | vs truth (floor) | where data right | upright-crop landmarks: vs target (floor) | vs truth (floor)',
    'pose: centre | size | roll (floor) — judged on drawn stories',
    'jitter out / bound',
    'seam ΔE out / orig',
    'untouched',
    'eyes r / blinks',
    'mouth r',
  ];
  const rows: string[][] = [];
  for (const s of r.stories) {
    for (const x of s.runs) {
      rows.push([
        `${s.variant} × ${x.face}`,
        `${pct(x.identity.share)} (${x.identity.passed}/${x.identity.frames}) ${mark(x.pass.identity)} | ${pct(x.identity.wherePrecomputeRight)} where data right`,
        `${pct(x.placement.mean, 2)} (${pct(x.placement.detectorOnStoryFace, 2)}) ${mark(x.pass.placement)} | ${pct(x.placement.jaw, 2)} | ${pct(x.placement.vsTruth, 2)} (${pct(x.placement.detectorVsTruth, 2)}) | ${pct(x.placement.wherePrecomputeRight, 2)} (${x.placement.wherePrecomputeRightFrames} fr) | ` +
          `${pct(x.placement.uprightDetector.mean, 2)} (${pct(x.placement.uprightDetector.onStoryFace, 2)}) | ${pct(x.placement.uprightDetector.outputVsTruth, 2)} (${pct(x.placement.uprightDetector.vsTruth, 2)})` +
          (x.placement.judgedBy === 'pose' ? ' (not judged: the child keeps its own proportions)' : ''),
        poseCell(x.placement.pose, x.placement.judgedBy === 'pose' ? mark(x.pass.placement) : ''),
        `${pct(x.stability.output, 2)} / ${pct(x.stability.bound, 2)} ${mark(x.pass.stability)}`,
        `${x.seam.output.toFixed(1)} / ${x.seam.original.toFixed(1)} ${mark(x.pass.seam)}`,
        `${x.untouched.copiedIdentical}/${x.untouched.copiedFrames} identical, ${db(x.untouched.psnrOutsideFaceY)} ${mark(x.pass.untouched)}`,
        `${follow(x.follow.eyes)} ${x.follow.eyes.blinksShown}/${x.follow.eyes.blinks} ${mark(x.pass.eyes)}` +
          (x.follow.eyes.story === 'truth'
            ? ` vs drawn, lids by open/shut renders (iris model: ${follow(x.follow.eyesIrisModel)} ${x.follow.eyesIrisModel.blinksShown}/${x.follow.eyesIrisModel.blinks})`
            : '') +
          ` (landmark net on both: ${follow(x.follow.eyesLandmarkNet)} ${x.follow.eyesLandmarkNet.blinksShown}/${x.follow.eyesLandmarkNet.blinks})`,
        x.follow.mouthStill
          ? `still by the truth: lip line pixels' change out ${x.follow.mouthStill.outputSpread.toFixed(4)} / story ${x.follow.mouthStill.storySpread.toFixed(4)} = ${x.follow.mouthStill.ratio.toFixed(2)} ${mark(x.pass.mouth)}` +
            (x.follow.mouthStillLandmarkNet ? ` (landmark net's lip gap, not judged: ${x.follow.mouthStillLandmarkNet.ratio.toFixed(2)})` : '')
          : `${follow(x.follow.mouth)} ${mark(x.pass.mouth)}${x.follow.mouth.story === 'truth' ? ` vs drawn (net on both: ${follow(x.follow.mouthLandmarkNet)}; lip line: ${follow(x.follow.mouthLipLine)}, story's ${Number.isFinite(x.follow.mouthLipLine.storyVsTruth) ? x.follow.mouthLipLine.storyVsTruth.toFixed(2) : 'n/a'})` : ''}`,
      ]);
    }
  }
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((row) => row[k].length)));
  const line = (cells: string[]) => cells.map((c, k) => c.padEnd(widths[k])).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  for (const s of r.stories) {
    if (!s.eyeData) continue;
    const e = s.eyeData;
    console.log(
      `${s.story}: precomputed eye data vs the drawn truth: lid openness r ${e.openCorrelation}, blinks found ${e.blinksFound}/${e.blinks} (±1 frame), gaze error ${e.gazeError} eye units (${e.frames} eye-frames)`,
    );
  }
  for (const s of r.stories)
    if (s.coverage)
      console.log(
        `coverage ${s.story}: ${formatCoverage(s.coverage)} (target ≥ ${COVERAGE_TARGET * 100}% of the frames where the hero is visible, never on a wrong face)`,
      );
  console.log(
    `targets: identity ≥ ${pct(TARGETS.identityShare, 0)} (descriptor < ${TARGETS.identityDistance} from the child and closer than the story's face); ` +
      `placement ≤ ${pct(TARGETS.placement, 0)} of the inter-ocular distance (vs the precomputed target, landmarks measured on a crop turned with the face; floor = the same instrument on the story's own face; ` +
      `on drawn stories the pose instead (brows, eyes and nose against where the compositor puts the child's; the jaw is the drawn outline): centre ≤ ${pct(TARGETS.pose.centre, 0)} of the eye distance, size within ${pct(TARGETS.pose.scale, 0)}, roll ≤ ${TARGETS.pose.rollDegrees}°; ` +
      `vs truth: the fixture's ground truth, floor = the detector on the story's face vs the truth); jitter ≤ precomputed + detector noise; ` +
      `untouched: face-free frames bit-identical, PSNR ≥ ${TARGETS.untouchedPsnr} dB outside the face; seam: ΔE across the mask edge ≤ the story's own; ` +
      `eyes (the iris model, libs/face iris-model.ts; on the tale the drawn lids against the child's read between the same frame rendered open and shut, eval/eye-synthesis.ts): openness correlation ≥ ${TARGETS.eyesCorrelation} with the story's face and every blink within ±1 frame; mouth: correlation ≥ ${TARGETS.mouthCorrelation} (both only where the story's face moves them); a mouth still by the truth: the output's lip line pixels (the luma profile across the lip line in a window on the target mouth, eval/lip-line.ts) changing within shots at most ${STILL_MOUTH_RATIO}x as much as the story's`,
  );
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
