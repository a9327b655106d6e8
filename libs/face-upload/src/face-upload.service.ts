// The parent's photo → an aligned face ready for rendering. Decode safely, detect every face,
// choose one (largest usable, or the parent's pick), check its quality, align it to the canonical
// template, and store the aligned texture with its mask, landmarks, expression and colour. The
// original photo is not kept unless configured. Nothing about the photo is ever logged; a failure
// leaves nothing on disk.
import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import { promises as fs } from 'node:fs';
import Piscina from 'piscina';
import { sharp } from '@talecast/face/sharp-image';
import { Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@talecast/config';
import { TalecastError } from '@talecast/core/talecast-error';
import { dominantExpression, ExpressionScores } from '@talecast/face';
import { FACE_REPOSITORY, FaceEntity } from '@talecast/persistence';
import { newId, StorageCore, treeSize, writeFileAtomic, isRandomId } from '@talecast/storage';
import { LifecycleService, RecordsLifecycle } from '@talecast/lifecycle';
import { QualityFinding } from './face-quality';
import { ALIGNED_SIZE } from './photo-analysis';
import { AnalysedPhoto, analyseInPool, createPhotoAnalysisPool, decodeForAnalysis, PHOTO_ANALYSIS_POOL, warmPhotoAnalysisPool } from './photo-analysis-pool';

export { ALIGNED_SIZE } from './photo-analysis';

export interface FaceSummaryBox {
  index: number;
  /** Normalised to the upright photo: [x, y, width, height] in 0..1. */
  box: [number, number, number, number];
  score: number;
  usable: boolean;
}

export interface FaceUploadResult {
  id: string;
  status: string;
  faceCount: number;
  chosenIndex: number;
  faces: FaceSummaryBox[];
  warnings: QualityFinding[];
  expression: string;
  expressionScores: ExpressionScores;
  pose: { yaw: number; roll: number };
  createdAt: string;
  expiresAt: string;
}

/** What the render needs of a stored face (read back from uploads/<id>/). */
export interface StoredFace {
  id: string;
  size: number;
  rgba: Uint8Array;
  landmarks: Float32Array;
  expressionScores: ExpressionScores;
  yaw: number;
}

@Injectable()
export class FaceUploadService implements OnApplicationShutdown {
  private analysisPool: Piscina | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(FACE_REPOSITORY) private readonly faces: Repository<FaceEntity>,
    private readonly storage: StorageCore,
    readonly lifecycle: LifecycleService,
    /** A pool started before this service (photo-analysis-pool.ts); it is this service's from now on. */
    @Optional() @Inject(PHOTO_ANALYSIS_POOL) startedPool?: Piscina,
  ) {
    this.analysisPool = startedPool;
  }

  /** The upload pool (worker threads with their own face models), made on first use. */
  private pool(): Piscina {
    this.analysisPool ??= createPhotoAnalysisPool(this.config.upload.threads);
    return this.analysisPool;
  }

  /** Loads the face models in every thread of the upload pool, so the first uploads are not slower. */
  async warm(): Promise<void> {
    await warmPhotoAnalysisPool(this.pool(), this.config.faceBackend);
  }

  async onApplicationShutdown(): Promise<void> {
    const pool = this.analysisPool;
    this.analysisPool = undefined;
    await pool?.destroy();
  }

  /**
   * The photo decoded and analysed in the upload pool (detection, alignment and mask, off the event
   * loop), nothing stored: `ingest` stores it. Started ahead by a caller with several photos.
   */
  async analyse(photo: Buffer, faceIndex?: number): Promise<AnalysedPhoto> {
    return analyseInPool(this.pool(), await decodeForAnalysis(photo, this.config.upload.maxPixels), { backend: this.config.faceBackend, faceIndex });
  }

  /**
   * Stores `photo`'s face. `analysed`: the photo's analysis already under way (analyseInPool,
   * started by an entry point before this service was up); without it the photo is analysed here.
   */
  @RecordsLifecycle<FaceUploadResult>('face', 'uploaded', (r) => r.id, { details: (r) => ({ faces: r.faceCount, warnings: r.warnings.length }) })
  async ingest(photo: Buffer, options: { faceIndex?: number; analysed?: Promise<AnalysedPhoto> } = {}): Promise<FaceUploadResult> {
    const decoded = await (options.analysed ?? this.analyse(photo, options.faceIndex));
    const { analysis } = decoded;
    if (!analysis.ok) throw new TalecastError(analysis.code, analysis.message, { ...analysis.details, ...(analysis.hint ? { hint: analysis.hint } : {}) });
    const { candidates, aligned, expressionScores } = analysis;
    const chosen = candidates[analysis.chosenIndex];

    const id = newId();
    const dir = this.storage.faceDir(id);
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.config.retention.faceSeconds * 1000);
    try {
      await fs.mkdir(dir, { recursive: true, mode: 0o750 });
      await writeFileAtomic(
        this.storage.faceFile(id, 'aligned.png'),
        await sharp(aligned.rgba, { raw: { width: ALIGNED_SIZE, height: ALIGNED_SIZE, channels: 4 } })
          .png()
          .toBuffer(),
      );
      const preview = Buffer.from(aligned.rgba);
      for (let i = 0; i < ALIGNED_SIZE * ALIGNED_SIZE; i++)
        preview[i * 4 + 3] = Math.round(Math.min(1, analysis.mask[i]) * (aligned.rgba[i * 4 + 3] / 255) * 255);
      await writeFileAtomic(
        this.storage.faceFile(id, 'preview.png'),
        await sharp(preview, { raw: { width: ALIGNED_SIZE, height: ALIGNED_SIZE, channels: 4 } })
          .png()
          .toBuffer(),
      );
      await writeFileAtomic(
        this.storage.faceFile(id, 'face.json'),
        JSON.stringify({
          version: 1,
          size: ALIGNED_SIZE,
          landmarks: Array.from(aligned.landmarks, (v) => Math.round(v * 100) / 100),
          expressionScores,
          yaw: analysis.pose.yaw,
          roll: analysis.pose.roll,
          skinLab: analysis.skinLab,
        }),
      );
      if (this.config.upload.keepOriginal) await writeFileAtomic(this.storage.faceFile(id, 'original.bin'), photo);
      const result: FaceUploadResult = {
        id,
        status: 'ready',
        faceCount: candidates.length,
        chosenIndex: chosen.index,
        faces: candidates.map((c) => ({
          index: c.index,
          box: [c.box.x / decoded.width, c.box.y / decoded.height, c.box.width / decoded.width, c.box.height / decoded.height].map(
            (v) => Math.round(v * 10000) / 10000,
          ) as [number, number, number, number],
          score: Math.round(c.score * 1000) / 1000,
          usable: c.usable,
        })),
        warnings: chosen.findings,
        expression: dominantExpression(expressionScores),
        expressionScores,
        pose: { yaw: Math.round(analysis.pose.yaw * 10) / 10, roll: Math.round(analysis.pose.roll * 10) / 10 },
        createdAt: now.toISOString(),
        expiresAt: expiresAt.toISOString(),
      };
      await this.faces.insert({
        id,
        status: 'ready',
        expression: result.expression,
        summary: {
          faceCount: result.faceCount,
          chosenIndex: result.chosenIndex,
          faces: result.faces,
          warnings: result.warnings,
          pose: result.pose,
          expressionScores,
        },
        bytes: await treeSize(dir),
        createdAt: now,
        expiresAt,
      });
      return result;
    } catch (err) {
      await fs.rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  async find(id: string): Promise<FaceEntity> {
    if (!isRandomId(id)) throw new TalecastError('FACE_NOT_FOUND', 'no such face');
    const face = await this.faces.findOneBy({ id });
    if (!face) throw new TalecastError('FACE_NOT_FOUND', 'no such face');
    return face;
  }

  /** A face a parent may still see: deleted, purged or expired faces are not found. */
  async findLive(id: string): Promise<FaceEntity> {
    const face = await this.find(id);
    if (face.status !== 'ready' || face.expiresAt.getTime() <= Date.now()) throw new TalecastError('FACE_NOT_FOUND', 'no such face');
    return face;
  }

  async describe(id: string) {
    const face = await this.findLive(id);
    return {
      id: face.id,
      status: face.status,
      expression: face.expression,
      ...face.summary,
      createdAt: face.createdAt.toISOString(),
      expiresAt: face.expiresAt.toISOString(),
      purgedAt: face.purgedAt?.toISOString() ?? null,
      events: await this.lifecycle.history('face', face.id),
    };
  }

  /** Path of the preview PNG of a face that is still available. */
  async previewFile(id: string): Promise<string> {
    await this.findLive(id);
    return this.storage.faceFile(id, 'preview.png');
  }

  /** Loads a face for rendering; refuses one that is deleted or expired. */
  async load(id: string): Promise<StoredFace> {
    if (!isRandomId(id)) throw new TalecastError('FACE_MISSING', 'no such face');
    const face = await this.faces.findOneBy({ id });
    if (!face) throw new TalecastError('FACE_MISSING', 'no such face');
    if (face.status !== 'ready' || face.expiresAt.getTime() <= Date.now())
      throw new TalecastError('FACE_EXPIRED', 'this face has expired or was deleted; upload the photo again');
    const meta = JSON.parse(await fs.readFile(this.storage.faceFile(id, 'face.json'), 'utf8'));
    const { data, info } = await sharp(this.storage.faceFile(id, 'aligned.png')).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    if (info.width !== meta.size || info.height !== meta.size) throw new TalecastError('FACE_MISSING', 'the stored face is damaged');
    return {
      id,
      size: meta.size,
      rgba: new Uint8Array(data.buffer, data.byteOffset, data.length),
      landmarks: Float32Array.from(meta.landmarks),
      expressionScores: meta.expressionScores,
      yaw: meta.yaw,
    };
  }

  /** Marks a face used by a render now: its expiry moves to now + retention (never earlier). */
  async touch(id: string): Promise<void> {
    const expiresAt = new Date(Date.now() + this.config.retention.faceSeconds * 1000);
    await this.faces
      .createQueryBuilder()
      .update()
      .set({ lastUsedAt: () => 'now()', expiresAt: () => `GREATEST("expiresAt", :expiresAt)` })
      .setParameters({ expiresAt })
      .where('id = :id', { id })
      .execute();
  }

  /** The parent deletes the face: files first, then the row; logged. */
  @RecordsLifecycle<{ id: string; bytes: number }>('face', 'deleted-by-parent', (r) => r.id, { details: (r) => ({ bytesFreed: r.bytes }) })
  async remove(id: string): Promise<{ id: string; bytes: number }> {
    const face = await this.find(id);
    if (face.status !== 'ready') throw new TalecastError('FACE_NOT_FOUND', 'this face has already been deleted');
    const dir = this.storage.faceDir(id);
    const bytes = await treeSize(dir);
    await fs.rm(dir, { recursive: true, force: true });
    await this.faces.update({ id }, { status: 'deleted', purgedAt: new Date(), bytes: 0 });
    return { id, bytes };
  }
}
