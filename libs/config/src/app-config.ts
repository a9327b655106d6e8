// The one place that reads the environment. Every setting is parsed and validated here, at
// start-up; a wrong value stops the process with a message naming the variable. Nothing else
// in the code base reads process.env.
import os from 'node:os';
import path from 'node:path';

export type ProcessRole = 'api' | 'worker' | 'all';
export type FaceBackendPreference = 'auto' | 'wasm' | 'tfjs-node';

export interface DataRoots {
  /** Base folder; every other root defaults to a child of it. */
  base: string;
  precomputed: string;
  masks: string;
  expressions: string;
  uploads: string;
  generated: string;
  /** Private state: the embedded PostgreSQL cluster, temporary files. */
  state: string;
}

export interface EncoderSettings {
  /** libx264 preset of the story media (the precompute). */
  preset: string;
  /**
   * libx264 preset of a render's re-encoded segments: the story's preset, or one whose stream
   * headers (SPS/PPS) are identical to it, so rendered and copied segments still join by concat
   * copy (RENDER_PRESET_TWINS). Same CRF either way; a faster preset gives larger files.
   */
  renderPreset: string;
  crf: number;
  /** Threads per ffmpeg encoder process (0 = ffmpeg decides). */
  threads: number;
  /** GOP length cap in frames for the render-ready story copy. */
  maxGopFrames: number;
  audioBitrateKbps: number;
}

export interface RetentionSettings {
  /** A rendered video lives this long after it completes. */
  renderSeconds: number;
  /** A face lives this long after its upload or its last render, whichever is later. */
  faceSeconds: number;
  /** A failed render (and its partial files) lives this long. */
  failedRenderSeconds: number;
  /** A file under uploads/ or generated/ with no database row is removed after this grace period. */
  orphanGraceSeconds: number;
}

export interface AppConfig {
  role: ProcessRole;
  host: string;
  port: number;
  databaseUrl: string | undefined;
  roots: DataRoots;
  retention: RetentionSettings;
  purgeIntervalSeconds: number;
  /** A render whose worker sent no heartbeat for this long is taken over by another worker. */
  renderStaleSeconds: number;
  adminToken: string | undefined;
  renderThreads: number;
  precomputeThreads: number;
  encoder: EncoderSettings;
  /** `threads`: worker threads that detect and align uploaded faces (each loads the face models). */
  upload: { maxBytes: number; maxPixels: number; keepOriginal: boolean; maxInFlight: number; threads: number };
  /** A request body must arrive at least this fast, measured over each window, or it ends with 408. */
  bodyMinRate: { bytesPerSecond: number; windowSeconds: number };
  maxQueuedRenders: number;
  /** Per-client limits per minute on uploads and render requests. */
  rateLimits: { uploadsPerMinute: number; rendersPerMinute: number };
  faceBackend: FaceBackendPreference;
  corsOrigins: string[];
  /**
   * The local socket `<state>/talecast.sock`: a process of role all or worker listens on it, and
   * `cli render` hands its render to such a process when one answers. Off: neither.
   */
  localSocket: boolean;
  logLevel: 'error' | 'warn' | 'log' | 'debug';
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads and validates the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): AppConfig {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);

  const base = path.resolve(cwd, read.string('TALECAST_DATA_DIR', '.'));
  const root = (name: string, fallback: string) => path.resolve(base, read.string(name, fallback));
  const roots: DataRoots = {
    base,
    precomputed: root('TALECAST_PRECOMPUTED_DIR', 'precomputed'),
    masks: root('TALECAST_MASKS_DIR', 'masks'),
    expressions: root('TALECAST_EXPRESSIONS_DIR', 'expressions'),
    uploads: root('TALECAST_UPLOADS_DIR', 'uploads'),
    generated: root('TALECAST_GENERATED_DIR', 'generated'),
    state: root('TALECAST_STATE_DIR', '.data'),
  };

  const databaseUrl = read.optional('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const adminToken = read.optional('TALECAST_ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 16) {
    problems.push('TALECAST_ADMIN_TOKEN must be at least 16 characters');
  }

  const config: AppConfig = {
    role: read.oneOf('TALECAST_ROLE', ['api', 'worker', 'all'] as const, 'all'),
    host: read.string('HOST', '127.0.0.1'),
    port: read.int('PORT', 3000, 0, 65535),
    databaseUrl,
    roots,
    retention: {
      renderSeconds: read.duration('TALECAST_RENDER_RETENTION', '7d'),
      faceSeconds: read.duration('TALECAST_FACE_RETENTION', '24h'),
      failedRenderSeconds: read.duration('TALECAST_FAILED_RENDER_RETENTION', '1h'),
      orphanGraceSeconds: read.duration('TALECAST_ORPHAN_GRACE', '1h'),
    },
    purgeIntervalSeconds: read.duration('TALECAST_PURGE_INTERVAL', '5m'),
    renderStaleSeconds: read.duration('TALECAST_RENDER_STALE', '20s'),
    adminToken,
    renderThreads: read.int('TALECAST_RENDER_THREADS', 2, 1, 64),
    precomputeThreads: read.int('TALECAST_PRECOMPUTE_THREADS', 2, 1, 64),
    encoder: {
      preset: read.oneOf('TALECAST_X264_PRESET', X264_PRESETS, 'veryfast'),
      renderPreset: '',
      crf: read.int('TALECAST_X264_CRF', 20, 0, 51),
      threads: read.int('TALECAST_ENCODER_THREADS', 0, 0, 64),
      maxGopFrames: read.int('TALECAST_MAX_GOP_FRAMES', 120, 1, 1000),
      audioBitrateKbps: read.int('TALECAST_AUDIO_KBPS', 128, 32, 512),
    },
    upload: {
      maxBytes: read.int('TALECAST_UPLOAD_MAX_BYTES', 15 * 1024 * 1024, 1024, 200 * 1024 * 1024),
      maxPixels: read.int('TALECAST_UPLOAD_MAX_PIXELS', 50_000_000, 10_000, 500_000_000),
      keepOriginal: read.bool('TALECAST_KEEP_ORIGINAL', false),
      maxInFlight: read.int('TALECAST_UPLOADS_IN_FLIGHT', 8, 1, 1000),
      threads: read.int('TALECAST_UPLOAD_THREADS', Math.max(1, Math.min(2, os.availableParallelism())), 1, 64),
    },
    bodyMinRate: {
      bytesPerSecond: read.int('TALECAST_BODY_MIN_RATE', 2048, 1, 100 * 1024 * 1024),
      windowSeconds: read.duration('TALECAST_BODY_RATE_WINDOW', '10s'),
    },
    maxQueuedRenders: read.int('TALECAST_MAX_QUEUED_RENDERS', 50, 1, 100_000),
    rateLimits: {
      uploadsPerMinute: read.int('TALECAST_UPLOADS_PER_MINUTE', 60, 1, 100_000),
      rendersPerMinute: read.int('TALECAST_RENDERS_PER_MINUTE', 30, 1, 100_000),
    },
    faceBackend: read.oneOf('TALECAST_FACE_BACKEND', ['auto', 'wasm', 'tfjs-node'] as const, 'auto'),
    corsOrigins: read.list('TALECAST_CORS_ORIGINS'),
    localSocket: read.bool('TALECAST_LOCAL_SOCKET', true),
    logLevel: read.oneOf('TALECAST_LOG_LEVEL', ['error', 'warn', 'log', 'debug'] as const, 'log'),
  };
  config.encoder.renderPreset = read.oneOf('TALECAST_RENDER_X264_PRESET', X264_PRESETS, config.encoder.preset as (typeof X264_PRESETS)[number]);
  const twins = RENDER_PRESET_TWINS[config.encoder.preset] ?? [];
  if (config.encoder.renderPreset !== config.encoder.preset && !twins.includes(config.encoder.renderPreset)) {
    problems.push(
      `TALECAST_RENDER_X264_PRESET must be the story preset (${config.encoder.preset})${twins.length ? ` or ${twins.join(', ')}` : ''}: other presets write different stream headers`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

const X264_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow'] as const;

/**
 * Presets whose H.264 sequence and picture parameter sets are identical to the key's (checked
 * with ffmpeg's trace_headers on x264 at high profile: veryfast and superfast differ only in
 * their SEI text; faster adds a reference, ultrafast drops CABAC).
 */
const RENDER_PRESET_TWINS: Record<string, string[]> = { veryfast: ['superfast'], superfast: ['veryfast'] };

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "90", "90s", "5m", "24h", "7d" → seconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * DURATION_UNITS[m[2] || 's'];
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  optional(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  string(name: string, fallback: string): string {
    return this.optional(name) ?? fallback;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw) || n < min || n > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
    return fallback;
  }

  duration(name: string, fallback: string): number {
    const raw = this.optional(name) ?? fallback;
    const seconds = parseDuration(raw);
    if (seconds === undefined || seconds <= 0) {
      this.problems.push(`${name} must be a positive duration such as 90s, 5m, 24h or 7d (got "${raw}")`);
      return parseDuration(fallback) ?? 1;
    }
    return seconds;
  }

  list(name: string): string[] {
    const raw = this.optional(name);
    return raw === undefined
      ? []
      : raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  }
}
