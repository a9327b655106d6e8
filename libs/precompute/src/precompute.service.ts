// Runs a story's precompute for the CLI and the admin API: keeps the story row (status,
// progress, summary) in step with the pure precompute, one run per story at a time.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { promises as fs } from 'node:fs';
import { Repository } from 'typeorm';
import { sharp } from '@talecast/face/sharp-image';
import { APP_CONFIG, AppConfig } from '@talecast/config';
import { FaceAnalysisService } from '@talecast/face';
import { STORY_REPOSITORY, StoryEntity } from '@talecast/persistence';
import { StorageCore } from '@talecast/storage';
import { FfmpegService } from '@talecast/video';
import { TalecastError } from '@talecast/core/talecast-error';
import { PrecomputeError, PrecomputeRequest, PrecomputeSummary, precomputeStory } from './story-precomputer';
import { validateManifest } from './story-manifest';
import { defaultTitle, parseMasksFile, StoryMeta } from './masks-file';
import { InvalidLinesError, publishStoryVoice, readAuthoredLines, StoryLines } from '@talecast/voice';

/** A precompute with the story's spoken lines: `lines` is the lines file; `stems`, when given, replaces its stems (role → audio file). */
export type PrecomputeWithLines = PrecomputeRequest & { lines?: string; stems?: Record<string, string> };

@Injectable()
export class PrecomputeService {
  private readonly logger = new Logger('Precompute');
  private readonly running = new Set<string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(STORY_REPOSITORY) private readonly stories: Repository<StoryEntity>,
    private readonly storage: StorageCore,
    private readonly ffmpeg: FfmpegService,
    private readonly faces: FaceAnalysisService,
  ) {}

  /** Marks the story as precomputing (creating its row); refuses a story already running. */
  async begin(req: PrecomputeRequest): Promise<void> {
    if (this.running.has(req.storyId)) throw new TalecastError('STORY_BUSY', `story ${req.storyId} is already being precomputed`);
    this.running.add(req.storyId);
    try {
      const existing = await this.stories.findOneBy({ id: req.storyId });
      await this.stories.save({
        ...(existing ?? {}),
        id: req.storyId,
        title: req.title ?? existing?.title ?? req.storyId,
        status: 'precomputing',
        progress: 0,
        error: null,
      } as StoryEntity);
    } catch (err) {
      this.running.delete(req.storyId);
      throw err;
    }
  }

  /** Runs a precompute begun with `begin`; the row ends `ready` or `failed`. */
  async execute(req: PrecomputeWithLines, onProgress?: (fraction: number, stage: string) => void): Promise<PrecomputeSummary> {
    let lastWrite = 0;
    try {
      const ffmpeg = await this.ffmpeg.locate();
      // The lines are checked before the long analysis, so a bad lines file fails at once.
      const voice = req.lines ? await this.readLines(req) : null;
      const summary = await precomputeStory(req, {
        storage: this.storage,
        ffmpeg,
        threads: this.config.precomputeThreads,
        faceBackend: this.config.faceBackend,
        encoder: this.config.encoder,
        detector: req.reference ? await this.faces.detector() : undefined,
        loadReference: async (file) => {
          const { data, info } = await sharp(file, { failOn: 'error', limitInputPixels: this.config.upload.maxPixels })
            .rotate()
            .removeAlpha()
            .toColourspace('srgb')
            .raw()
            .toBuffer({ resolveWithObject: true });
          return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
        },
        onProgress: (fraction, stage) => {
          onProgress?.(fraction, stage);
          const now = Date.now();
          if (now - lastWrite > 1000) {
            lastWrite = now;
            void this.stories.update({ id: req.storyId }, { progress: fraction }).catch(() => undefined);
          }
        },
      });
      const m = summary.manifest;
      if (voice) await publishStoryVoice({ ffmpeg, storage: this.storage, storyId: req.storyId, lines: voice.lines, stemFiles: voice.stemFiles });
      const meta = await this.publishedMeta(req.storyId);
      await this.stories.update(
        { id: req.storyId },
        {
          status: 'ready',
          progress: 1,
          error: null,
          // --title (the admin's title field) overrides the masks file's default-language title.
          title: (req.title ?? defaultTitle(meta) ?? m.story.title).slice(0, 200),
          meta: meta ?? null,
          style: m.story.style,
          durationSeconds: m.video.durationSeconds,
          fps: m.video.fps,
          width: m.video.width,
          height: m.video.height,
          frameCount: m.video.frameCount,
          segmentCount: m.segments.length,
          roles: m.roles.map((r) => ({ name: r.name, faceFrames: r.faceFrames })),
          warnings: summary.warnings,
        },
      );
      this.logger.log(`story ${req.storyId} published: ${summary.frames} frames, ${summary.segments} segments, ${summary.speed.toFixed(2)}x real time`);
      return summary;
    } catch (err) {
      const message = err instanceof PrecomputeError || err instanceof TalecastError ? err.message : `precompute failed: ${(err as Error).message}`;
      // An earlier published version stays usable; otherwise the story is failed.
      const stillPublished = await this.publishedManifestIsValid(req.storyId);
      await this.stories.update(
        { id: req.storyId },
        { status: stillPublished ? 'ready' : 'failed', error: message.slice(0, 2000), progress: stillPublished ? 1 : 0 },
      );
      this.logger.warn(`story ${req.storyId}: ${message.split('\n')[0]}`);
      throw err instanceof PrecomputeError ? new TalecastError(err.code, err.message) : err;
    } finally {
      this.running.delete(req.storyId);
    }
  }

  private async readLines(req: PrecomputeWithLines): Promise<{ lines: StoryLines; stemFiles: Record<string, string> }> {
    const roles = Object.keys(parseMasksFile(await fs.readFile(req.masks, 'utf8')).roles);
    try {
      const read = await readAuthoredLines(req.lines!, roles);
      const stemFiles = req.stems ?? read.stemFiles;
      for (const role of Object.keys(stemFiles))
        if (!roles.includes(role) && role !== 'narrator') throw new InvalidLinesError([`stem.${role}: no such role in the masks file`]);
      for (const f of Object.values(stemFiles))
        await fs.access(f).catch(() => {
          throw new InvalidLinesError([`a stem file is missing: ${f.split('/').pop()}`]);
        });
      return { lines: read.lines, stemFiles };
    } catch (err) {
      if (err instanceof InvalidLinesError) throw new TalecastError('INVALID_LINES', err.message);
      throw err;
    }
  }

  async run(req: PrecomputeWithLines, onProgress?: (fraction: number, stage: string) => void): Promise<PrecomputeSummary> {
    await this.begin(req);
    return this.execute(req, onProgress);
  }

  /** The story meta from the masks file the precompute published beside the story (none if absent). */
  private async publishedMeta(storyId: string): Promise<StoryMeta | undefined> {
    try {
      return parseMasksFile(await fs.readFile(this.storage.masksFile(storyId), 'utf8')).meta;
    } catch {
      return undefined;
    }
  }

  private async publishedManifestIsValid(storyId: string): Promise<boolean> {
    try {
      validateManifest(JSON.parse(await fs.readFile(this.storage.storyFile(storyId, 'manifest.json'), 'utf8')));
      return true;
    } catch {
      return false;
    }
  }
}
