// Alignment is a property of the face, not of the file: the same photo, rotated through EXIF and
// scaled 0.5x, aligns to canonical landmarks within 2% of the template's inter-ocular distance.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { loadConfig } from '@talecast/config';
import { CoreModule } from '@talecast/core';
import { LifecycleModule } from '@talecast/lifecycle';
import { FaceUploadModule, FaceUploadService } from '@talecast/face-upload';
import { CANONICAL_INTER_OCULAR, CANONICAL_SIZE, samplePhotoDirectory } from '@talecast/face';
import { StorageCore } from '@talecast/storage';
import { createTestDatabase, tempDir, TestDatabase } from '@talecast/testing';

describe('face alignment', async () => {
  const dir = await tempDir();
  let db: TestDatabase;
  let app: INestApplicationContext;

  before(async () => {
    db = await createTestDatabase(false);
    const config = loadConfig({ DATABASE_URL: db.url, TALECAST_DATA_DIR: dir.path, TALECAST_FACE_BACKEND: 'wasm' });
    app = await NestFactory.createApplicationContext({ module: class T {}, imports: [CoreModule.forRoot(config), LifecycleModule, FaceUploadModule] }, { logger: false });
  });
  after(async () => {
    await app?.close();
    await db?.drop();
    await dir.cleanup();
  });

  test('original, EXIF-rotated and half-size copies align within 2%', async () => {
    const uploads = app.get(FaceUploadService);
    const storage = app.get(StorageCore);
    for (const sample of ['sample2.jpg', 'sample6.jpg']) {
      const original = await fs.readFile(path.join(samplePhotoDirectory(), sample));
      const rotated = await sharp(original).rotate(90).jpeg({ quality: 95 }).withMetadata({ orientation: 8 }).toBuffer();
      const half = await sharp(original).resize({ width: Math.round(((await sharp(original).metadata()).width ?? 1920) / 2) }).jpeg({ quality: 95 }).toBuffer();
      const landmarks: number[][] = [];
      for (const buf of [original, rotated, half]) {
        const r = await uploads.ingest(buf);
        landmarks.push(JSON.parse(await fs.readFile(storage.faceFile(r.id, 'face.json'), 'utf8')).landmarks);
      }
      const iod = CANONICAL_INTER_OCULAR * (512 / CANONICAL_SIZE);
      for (const other of landmarks.slice(1)) {
        let sum = 0;
        for (let i = 0; i < 68; i++) sum += Math.hypot(other[2 * i] - landmarks[0][2 * i], other[2 * i + 1] - landmarks[0][2 * i + 1]);
        const mean = sum / 68 / iod;
        assert.ok(mean < 0.02, `${sample}: mean canonical difference ${(mean * 100).toFixed(2)}%`);
      }
    }
  });
});
