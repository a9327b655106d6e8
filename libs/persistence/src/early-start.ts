// The embedded PostgreSQL started before Nest is loaded. The CLI's `render` knows from its first
// milliseconds that it will open the database; starting the server then (a process of its own,
// ~0.4-0.9 s until it accepts connections on this machine) overlaps that wait with the ~1 s of
// loading Nest and the engine, instead of paying it after. Database.open takes the started server
// as its own: the same server, URL, database and lifecycle as if it had started it (it stops it at
// close). Light on purpose (no Nest, TypeORM or pg at load time): the CLI loads it first.
import type { AppConfig } from '@talecast/config';
import { EmbeddedPostgresHandle, EmbeddedPostgresOptions, startEmbeddedPostgres } from './embedded-postgres-server';

interface EarlyStart {
  handle: Promise<EmbeddedPostgresHandle>;
  /** What the start logged, for the Database.open that takes it (its logger is not there yet). */
  lines: string[];
}

const early = new Map<string, EarlyStart>();

/** Where Database.open keeps the embedded cluster (used when no DATABASE_URL is configured). */
export function embeddedPostgresOptions(config: AppConfig): Omit<EmbeddedPostgresOptions, 'log'> {
  return { dataDir: `${config.roots.state}/postgres`, database: 'talecast' };
}

/** Starts this configuration's embedded server now, for a Database.open later in this process; nothing with DATABASE_URL. */
export function startDatabaseEarly(config: AppConfig): void {
  const options = embeddedPostgresOptions(config);
  if (config.databaseUrl !== undefined || early.has(options.dataDir)) return;
  const lines: string[] = [];
  const handle = startEmbeddedPostgres({ ...options, log: (line) => lines.push(line) });
  handle.catch(() => undefined); // met by the Database.open that takes it (it then starts the server itself)
  early.set(options.dataDir, { handle, lines });
}

/** The server started early for these options, taken once (its log lines replayed), or a start now. */
export async function takeOrStartEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const started = early.get(options.dataDir);
  if (!started) return startEmbeddedPostgres(options);
  early.delete(options.dataDir);
  try {
    const handle = await started.handle;
    for (const line of started.lines) options.log?.(line);
    return handle;
  } catch {
    return startEmbeddedPostgres(options); // as if there had been no early start: the same tries, the same error
  }
}

/** Stops a server started early that no Database.open took (the command ended before it opened the database). */
export async function stopUntakenDatabase(): Promise<void> {
  const left = [...early.values()];
  early.clear();
  await Promise.all(
    left.map((s) =>
      s.handle.then(
        (h) => h.stop(),
        () => undefined,
      ),
    ),
  );
}
