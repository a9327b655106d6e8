// The production deployment files, checked by the real docker compose CLI (`docker compose` or
// Debian's `docker-compose`, which `.ci/run` installs): `docker-compose.yml` validates with the
// example env file, refuses to start without the secrets, and has what the README promises — a
// scalable worker service (no fixed name or host port), health checks, one shared data volume,
// the api and worker roles, the database reached by service name.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { load as parseYaml } from 'js-yaml';
import { tempDir } from '@talecast/testing';

const REPO = path.resolve(__dirname, '../../..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The parts of `docker compose config` read here. */
interface ComposeService {
  environment: Record<string, string>;
  volumes: (string | { source: string; target: string })[];
  depends_on: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  container_name?: string;
  ports?: unknown[];
}
interface ComposeConfig {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}
function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = (err as { code?: unknown } | null)?.code;
      resolve({ code: err ? (typeof code === 'number' ? code : 127) : 0, stdout, stderr });
    });
  });
}

/** The compose CLI on this machine: the docker plugin, else the standalone docker-compose. */
async function composeCli(): Promise<string[] | undefined> {
  if ((await run('docker', ['compose', 'version'], REPO)).code === 0) return ['docker', 'compose'];
  if ((await run('docker-compose', ['version'], REPO)).code === 0) return ['docker-compose'];
  return undefined;
}

describe('docker compose deployment', async () => {
  const cli = await composeCli();
  const skip = cli ? false : "no docker compose CLI here (.ci/run installs Debian's docker-compose)";

  /** A copy of the deployment files in a fresh folder, with `.env` from the example (or given). */
  async function project(env?: string) {
    const dir = await tempDir('talecast-compose-');
    await fs.copyFile(path.join(REPO, 'docker-compose.yml'), path.join(dir.path, 'docker-compose.yml'));
    await fs.writeFile(path.join(dir.path, '.env'), env ?? (await fs.readFile(path.join(REPO, '.env.example'), 'utf8')));
    const compose = (...args: string[]) => run(cli![0], [...cli!.slice(1), ...args], dir.path);
    return { dir, compose };
  }

  test('validates with the example env file and has the services the README describes', { skip }, async () => {
    const { dir, compose } = await project();
    try {
      const valid = await compose('config', '-q');
      assert.equal(valid.code, 0, `docker compose config: ${valid.stderr}`);
      const resolved = await compose('config');
      assert.equal(resolved.code, 0, resolved.stderr);
      const config = parseYaml(resolved.stdout) as ComposeConfig;
      assert.deepEqual(Object.keys(config.services).sort(), ['api', 'postgres', 'worker']);
      const { api, worker, postgres } = config.services;

      // Roles, one database reached by service name, one shared data volume.
      assert.equal(api.environment.TALECAST_ROLE, 'api');
      assert.equal(worker.environment.TALECAST_ROLE, 'worker');
      for (const s of [api, worker]) {
        assert.match(s.environment.DATABASE_URL, /^postgres:\/\/talecast:[^@]+@postgres:5432\/talecast$/);
        assert.equal(s.environment.TALECAST_DATA_DIR, '/data');
        const volumes = s.volumes.map((v) => (typeof v === 'string' ? v.split(':').slice(0, 2).join(':') : `${v.source}:${v.target}`));
        assert.ok(volumes.includes('talecast-data:/data'), `${JSON.stringify(s.volumes)} mounts the shared data volume`);
        assert.equal(s.depends_on.postgres.condition, 'service_healthy');
        assert.ok(s.healthcheck?.test, 'has a health check');
        assert.ok(s.environment.TALECAST_ADMIN_TOKEN, 'secrets come from the env file');
      }
      assert.ok(postgres.healthcheck?.test.join(' ').includes('pg_isready'));
      assert.ok(
        postgres.volumes.some((v) => (typeof v === 'string' ? v.startsWith('pgdata:') : v.source === 'pgdata')),
        'the database has its own volume',
      );

      // `--scale worker=3` needs a worker without a fixed container name or host port.
      assert.equal(worker.container_name, undefined);
      assert.equal(worker.ports, undefined);
      assert.ok(api.ports?.length === 1, 'only the api publishes a port');
      assert.ok(Object.keys(config.volumes).includes('talecast-data'));
    } finally {
      await dir.cleanup();
    }
  });

  test('refuses to start without the database password in .env', { skip }, async () => {
    const { dir, compose } = await project('TALECAST_ADMIN_TOKEN=an-admin-token-of-some-length\n');
    try {
      const res = await compose('config', '-q');
      assert.notEqual(res.code, 0);
      assert.match(res.stderr, /POSTGRES_PASSWORD/);
    } finally {
      await dir.cleanup();
    }
  });
});
