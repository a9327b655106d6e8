// A parent's recording of a story line → a fitted line kept under uploads/<id>/line.wav. The
// upload is written to an incoming file, decoded and checked by content, fitted to its slot at
// the story's dialogue loudness; on any failure nothing is kept. Recordings are children's data,
// handled like photos: random ids, retention (the face retention), purge, lifecycle events
// (uploaded, used, deleted-by-parent, purged), and nothing about them is ever logged.
import { Inject, Injectable } from '@nestjs/common';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { In, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@talecast/config';
import { TalecastError } from '@talecast/core/talecast-error';
import { RECORDING_REPOSITORY, RecordingEntity } from '@talecast/persistence';
import { isRandomId, isStorySlug, newId, StorageCore, treeSize, writeFileAtomic } from '@talecast/storage';
import { LifecycleService, RecordsLifecycle } from '@talecast/lifecycle';
import { FfmpegService } from '@talecast/video';
import { isRecordable, StoryLine, StoryLines } from './lines-file';
import { decodeMono, dialogueLoudness, fitRecording, RECORDING_LIMITS } from './recording-fitter';
import { loadStoryLines } from './story-voice-data';

export const FITTED_LINE_FILE = 'line.wav';

export interface RecordingView {
  id: string;
  storyId: string;
  lineId: string;
  status: string;
  slotSeconds: number;
  recordedSeconds: number;
  tempo: number;
  loudness: number;
  audioUrl: string | null;
  createdAt: string;
  expiresAt: string;
}

/** What a render needs of a recording: the fitted line and its slot. */
export interface VoiceLine {
  lineId: string;
  role: string;
  from: number;
  to: number;
  file: string;
}

/** What the voice path needs of a published story, read from its manifest. */
interface StoryAudio {
  roles: string[];
  audio: string | null;
  channels: number;
  stems: string[];
}

@Injectable()
export class RecordingService {
  /** Dialogue loudness per story (measured once per process; stories change only by precompute). */
  private readonly loudness = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RECORDING_REPOSITORY) private readonly recordings: Repository<RecordingEntity>,
    private readonly storage: StorageCore,
    private readonly ffmpeg: FfmpegService,
    readonly lifecycle: LifecycleService,
  ) {}

  /** The story's lines (404 when the story is not published; an empty list when it has none). */
  async lines(storyId: string): Promise<StoryLines | null> {
    const story = await this.storyAudio(storyId);
    return loadStoryLines(this.storage, storyId, story.roles);
  }

  async line(storyId: string, lineId: string): Promise<StoryLine> {
    const lines = await this.lines(storyId);
    const line = lines?.lines.find((l) => l.id === lineId);
    if (!line) throw new TalecastError('LINE_NOT_FOUND', 'this story has no such line');
    if (!isRecordable(line)) throw new TalecastError('LINE_NOT_RECORDABLE', 'this line is read by the narrator and cannot be recorded');
    return line;
  }

  @RecordsLifecycle<RecordingView>('recording', 'uploaded', (r) => r.id, { details: (r) => ({ line: r.lineId, seconds: r.slotSeconds }) })
  async ingest(storyId: string, lineId: string, audio: Buffer): Promise<RecordingView> {
    if (audio.length === 0) throw new TalecastError('EMPTY_RECORDING', 'The recording is empty. Please record again.');
    if (audio.length > RECORDING_LIMITS.maxBytes) throw new TalecastError('FILE_TOO_LARGE', 'The recording is larger than 5 MB. Please record just this line.');
    const line = await this.line(storyId, lineId);
    const { ffmpeg } = await this.ffmpeg.locate();
    const targetLufs = await this.dialogueLoudness(storyId, ffmpeg);
    const incoming = this.storage.incomingUploadFile(newId());
    const id = newId();
    const dir = this.storage.recordingDir(id);
    try {
      await fs.mkdir(path.dirname(incoming), { recursive: true });
      await fs.writeFile(incoming, audio, { mode: 0o640 });
      const fitted = await fitRecording({ ffmpeg, input: incoming, slotSeconds: line.to - line.from, targetLufs });
      await fs.mkdir(dir, { recursive: true, mode: 0o750 });
      await writeFileAtomic(this.storage.recordingFile(id, FITTED_LINE_FILE), fitted.wav);
      const now = new Date();
      const entity: RecordingEntity = {
        id,
        storyId,
        lineId,
        status: 'ready',
        summary: {
          slotSeconds: round(line.to - line.from),
          recordedSeconds: round(fitted.analysis.voiceEnd - fitted.analysis.voiceStart),
          tempo: round(fitted.tempo),
          loudness: round(fitted.loudness),
        },
        bytes: await treeSize(dir),
        createdAt: now,
        lastUsedAt: null,
        purgedAt: null,
        expiresAt: new Date(now.getTime() + this.config.retention.faceSeconds * 1000),
      };
      await this.recordings.insert(entity);
      return this.view(entity);
    } catch (err) {
      await fs.rm(dir, { recursive: true, force: true });
      throw err;
    } finally {
      await fs.rm(incoming, { force: true });
    }
  }

  async find(id: string): Promise<RecordingEntity> {
    if (!isRandomId(id)) throw new TalecastError('RECORDING_NOT_FOUND', 'no such recording');
    const r = await this.recordings.findOneBy({ id });
    if (!r) throw new TalecastError('RECORDING_NOT_FOUND', 'no such recording');
    return r;
  }

  view(r: RecordingEntity): RecordingView {
    const s = r.summary ?? {};
    return {
      id: r.id,
      storyId: r.storyId,
      lineId: r.lineId,
      status: r.status,
      slotSeconds: s.slotSeconds,
      recordedSeconds: s.recordedSeconds,
      tempo: s.tempo,
      loudness: s.loudness,
      audioUrl: r.status === 'ready' ? `/api/recordings/${r.id}/line.wav` : null,
      createdAt: r.createdAt.toISOString(),
      expiresAt: r.expiresAt.toISOString(),
    };
  }

  async describe(id: string) {
    const r = await this.find(id);
    return { ...this.view(r), events: await this.lifecycle.history('recording', r.id) };
  }

  /** The fitted line (for listening before the render). */
  async audioFile(id: string): Promise<string> {
    const r = await this.find(id);
    if (r.status !== 'ready') throw new TalecastError('RECORDING_NOT_FOUND', 'this recording has been deleted');
    return this.storage.recordingFile(id, FITTED_LINE_FILE);
  }

  /** Checks a render's voices (line id → recording id) against the story; returns them unchanged. */
  async checkForRender(storyId: string, voices: Record<string, string>): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [lineId, recordingId] of Object.entries(voices ?? {})) {
      await this.line(storyId, lineId);
      const r = await this.find(recordingId).catch(() => undefined);
      if (!r || r.storyId !== storyId || r.lineId !== lineId)
        throw new TalecastError('RECORDING_NOT_FOUND', `no recording of line ${lineId.slice(0, 40)} with that id`);
      if (r.status !== 'ready' || r.expiresAt.getTime() <= Date.now())
        throw new TalecastError('RECORDING_NOT_FOUND', 'a recording has expired or was deleted; record the line again');
      out[lineId] = recordingId;
    }
    return out;
  }

  /** The fitted lines of a render, in story order; each marked used (its retention restarts). */
  async loadForRender(storyId: string, voices: Record<string, string>): Promise<VoiceLine[]> {
    const out: VoiceLine[] = [];
    for (const [lineId, recordingId] of Object.entries(voices ?? {})) {
      const line = await this.line(storyId, lineId);
      const file = await this.audioFile(recordingId);
      const expiresAt = new Date(Date.now() + this.config.retention.faceSeconds * 1000);
      await this.recordings
        .createQueryBuilder()
        .update()
        .set({ lastUsedAt: () => 'now()', expiresAt: () => `GREATEST("expiresAt", :expiresAt)` })
        .setParameters({ expiresAt })
        .where('id = :id', { id: recordingId })
        .execute();
      await this.lifecycle.record('recording', recordingId, 'used', { line: lineId });
      out.push({ lineId, role: line.role, from: line.from, to: line.to, file });
    }
    return out.sort((a, b) => a.from - b.from);
  }

  /** The parent deletes the recording: files first, then the row; logged. */
  @RecordsLifecycle<{ id: string; bytes: number }>('recording', 'deleted-by-parent', (r) => r.id, { details: (r) => ({ bytesFreed: r.bytes }) })
  async remove(id: string): Promise<{ id: string; bytes: number }> {
    const r = await this.find(id);
    if (r.status !== 'ready') throw new TalecastError('RECORDING_NOT_FOUND', 'this recording has already been deleted');
    const dir = this.storage.recordingDir(id);
    const bytes = await treeSize(dir);
    await fs.rm(dir, { recursive: true, force: true });
    await this.recordings.update({ id }, { status: 'deleted', purgedAt: new Date(), bytes: 0 });
    return { id, bytes };
  }

  /** Removes every recording still kept among `ids` (a render deleted by the parent takes its voices with it). */
  async removeAll(ids: string[]): Promise<number> {
    const live = await this.recordings.findBy({ id: In(ids.filter(isRandomId)), status: 'ready' });
    for (const r of live) await this.remove(r.id).catch(() => undefined);
    return live.length;
  }

  /** The story's dialogue loudness: its stems over all its lines' slots, else its audio over them. */
  private async dialogueLoudness(storyId: string, ffmpeg: string): Promise<number> {
    const known = this.loudness.get(storyId);
    if (known !== undefined) return known;
    const story = await this.storyAudio(storyId);
    const lines = (await loadStoryLines(this.storage, storyId, story.roles))?.lines ?? [];
    const sources = story.stems.length
      ? story.stems.map((role) => ({ file: this.storage.storyStemFile(storyId, role), slots: lines.filter((l) => l.role === role) }))
      : story.audio
        ? [{ file: story.audio, slots: lines }]
        : [];
    const values: number[] = [];
    for (const s of sources) {
      if (s.slots.length === 0) continue;
      const end = Math.max(...s.slots.map((l) => l.to));
      values.push(dialogueLoudness(await decodeMono(ffmpeg, s.file, end + 1), s.slots));
    }
    const lufs = values.length ? Math.max(...values) : -20;
    this.loudness.set(storyId, lufs);
    return lufs;
  }

  private async storyAudio(storyId: string): Promise<StoryAudio> {
    if (!isStorySlug(storyId)) throw new TalecastError('STORY_NOT_FOUND', 'no such story');
    let m: { roles?: { name: string }[]; audio?: { file: string } | null; voice?: { stems?: string[] } };
    try {
      m = JSON.parse(await fs.readFile(this.storage.storyFile(storyId, 'manifest.json'), 'utf8'));
    } catch {
      throw new TalecastError('STORY_NOT_FOUND', 'no such story');
    }
    const audio = m.audio ? path.join(this.storage.storyDir(storyId), m.audio.file) : null;
    return { roles: (m.roles ?? []).map((r) => r.name), audio, channels: 2, stems: m.voice?.stems ?? [] };
  }
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
