// Developer tool: writes each child's aligned canonical face with its compositor mask (mask shown
// as the face over grey, mesh outline points in red) to PNGs, for looking at the mask's fit.
// Usage: node dist/eval/mask-preview.js --faces sample1.jpg,sample6.jpg --out /tmp/inspect
import 'reflect-metadata';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sharp } from '@talecast/face/sharp-image';
import { FaceDetector, loadFaceModels } from '@talecast/face';
import { prepareFace } from '@talecast/compositor';
import { FACE_MESH_POINT_COUNT } from '@talecast/geometry';
import { prepareChildFace } from './insertion-eval';

const { values: opts } = parseArgs({
  options: { faces: { type: 'string', default: 'sample1.jpg,sample6.jpg' }, out: { type: 'string', default: '/tmp/inspect' } },
});

async function main(): Promise<void> {
  await fs.mkdir(opts.out!, { recursive: true });
  const models = await loadFaceModels('wasm');
  const detector = new FaceDetector(models);
  for (const f of opts.faces!.split(',')) {
    const c = await prepareChildFace(models, detector, f);
    const S = c.render.size;
    const p = prepareFace({ rgba: c.render.rgba, size: S, landmarks: c.render.landmarks, matrix: 'bt709', range: 'tv', style: 'photo' });
    const out = Buffer.alloc(S * S * 3 * 2);
    for (let y = 0; y < S; y++)
      for (let x = 0; x < S; x++) {
        const k = y * S + x,
          m = p.mask.data[k];
        for (let ch = 0; ch < 3; ch++) {
          const v = c.render.rgba[4 * k + ch];
          out[(y * 2 * S + x) * 3 + ch] = v;
          out[(y * 2 * S + S + x) * 3 + ch] = Math.round(m * v + (1 - m) * 128);
        }
      }
    for (let i = 0; i < FACE_MESH_POINT_COUNT; i++) {
      const px = Math.round(p.meshPoints[2 * i]),
        py = Math.round(p.meshPoints[2 * i + 1]);
      for (let dy = -2; dy <= 2; dy++)
        for (let dx = -2; dx <= 2; dx++) {
          const x = px + dx,
            y = py + dy;
          if (x < 0 || y < 0 || x >= S || y >= S) continue;
          const o = (y * 2 * S + x) * 3;
          out[o] = 255;
          out[o + 1] = 0;
          out[o + 2] = 0;
        }
    }
    await sharp(out, { raw: { width: 2 * S, height: S, channels: 3 } })
      .png()
      .toFile(path.join(opts.out!, `mask-${path.basename(f, '.jpg')}.png`));
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
