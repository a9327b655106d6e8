// Samples the resident memory of this process and all its descendants (ffmpeg children
// included) from /proc, to report the peak of a run.
import { readdirSync, readFileSync } from 'node:fs';

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function treeRss(root: number): number {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      /* gone */
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    total += rssOf(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

export class PeakMemory {
  peak = 0;
  private timer: NodeJS.Timeout | undefined;

  start(intervalMs = 100): this {
    this.peak = treeRss(process.pid);
    this.timer = setInterval(() => (this.peak = Math.max(this.peak, treeRss(process.pid))), intervalMs);
    return this;
  }

  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.peak = Math.max(this.peak, treeRss(process.pid));
    return this.peak;
  }
}
