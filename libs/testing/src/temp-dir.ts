import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temporary folder; removed by the returned cleanup. */
export async function tempDir(prefix = 'talecast-test-'): Promise<{ path: string; cleanup(): Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  // Traversable by the unprivileged 'postgres' user the embedded server runs as under root.
  await fs.chmod(dir, 0o755);
  return { path: dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}
