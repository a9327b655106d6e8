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

let scans = 0;
/**
 * Parent → children of the processes that can be in the tree. Reading every /proc/<pid>/stat ten
 * times a second costs ~10% of a core on a machine with a few hundred processes (measured: 0.57
 * CPU-s per 5 s for the two samplers), taken from the very render being measured; descendants
 * are started after their root, so only pids handed out since the root are read, except in a full
 * scan every tenth call. Pid numbers wrap around: on a machine that has been up for hours the root's
 * children get pids below the root's (then the newest pid is below it, and the pids from 1 up to the
 * newest are read too — skipping them lost every short-lived ffmpeg from the CPU breakdown).
 */
function childrenMap(root: number): Map<number, number[]> {
  const newest = lastPid();
  const full = scans++ % 10 === 0 || newest === null;
  const wrapped = newest !== null && newest < root;
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (!full && pid < root && !(wrapped && pid <= newest!)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(pid);
      children.set(ppid, list);
    } catch {
      /* gone */
    }
  }
  return children;
}

function treeRss(root: number): number {
  let total = 0;
  for (const pid of treePids(root)) total += rssOf(pid);
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

/** The pid the kernel handed out last (null when unknown: then every scan is a full one). */
function lastPid(): number | null {
  try {
    return Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8'));
  } catch {
    return null;
  }
}

/** utime + stime of a process in clock ticks (100 per second on Linux) and its minor page faults; zeros when gone. */
function cpuTicksOf(pid: number): { ticks: number; faults: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ticks: Number(f[11]) + Number(f[12]), faults: Number(f[7]) };
  } catch {
    return { ticks: 0, faults: 0 };
  }
}

function treePids(root: number): number[] {
  const children = childrenMap(root);
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** What a process of the tree is, for the CPU breakdown. */
function kindOf(pid: number): string {
  let cmd = '';
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return 'gone';
  }
  if (pid === process.pid) return 'node (main + worker threads)';
  if (/ffmpeg/.test(cmd)) {
    const args = cmd.split(' ');
    const input = args.indexOf('-i');
    const rawIn = input > 0 && args.slice(0, input).includes('rawvideo');
    if (rawIn && cmd.includes('libx264')) return 'ffmpeg encoder';
    if (cmd.includes('libx264')) return 'ffmpeg decode+encode';
    if (!rawIn && args.slice(input + 1).includes('rawvideo')) return 'ffmpeg decoder';
    return 'ffmpeg other (HLS, assemble)';
  }
  if (/postgres/.test(cmd)) return 'postgres';
  return cmd.split(' ')[0] || 'other';
}

/** kindOf, or `known` once the process has gone. */
function kindOfOr(pid: number, known: string): string {
  const kind = kindOf(pid);
  return kind === 'gone' ? known : kind;
}

function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  return { busy: total - cpu[3] - (cpu[4] ?? 0), total };
}

/**
 * CPU used while it runs: by this process and its descendants (children that exit between two
 * samples lose at most one interval), and by the whole machine — the difference is other
 * processes (other users of a shared machine), the rest idle. Seconds of CPU.
 */
export class CpuUsage {
  private timer: NodeJS.Timeout | undefined;
  private seen = new Map<number, { first: number; last: number; firstFaults: number; lastFaults: number; kind: string }>();
  private machine0 = machineTicks();
  private started = 0;

  private sample(): void {
    for (const pid of treePids(process.pid)) {
      const { ticks: t, faults } = cpuTicksOf(pid);
      const s = this.seen.get(pid);
      // A child seen between its fork and its exec still shows node's command line (every
      // ffmpeg starts through setpriv): look again until it is an ffmpeg.
      if (s && pid !== process.pid && !s.kind.startsWith('ffmpeg')) s.kind = kindOfOr(pid, s.kind);
      if (s) {
        s.last = Math.max(s.last, t);
        s.lastFaults = Math.max(s.lastFaults, faults);
      } else {
        const before = this.started === 0;
        this.seen.set(pid, { first: before ? t : 0, last: t, firstFaults: before ? faults : 0, lastFaults: faults, kind: kindOf(pid) });
      }
    }
  }

  start(intervalMs = 100): this {
    this.machine0 = machineTicks();
    this.sample();
    this.started = Date.now();
    this.timer = setInterval(() => this.sample(), intervalMs);
    return this;
  }

  stop(): {
    ours: number;
    machineBusy: number;
    others: number;
    idle: number;
    wall: number;
    byKind: Record<string, number>;
    faultsByKind: Record<string, number>;
  } {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const m = machineTicks();
    let ours = 0;
    const byKind: Record<string, number> = {};
    const faultsByKind: Record<string, number> = {};
    for (const s of this.seen.values()) {
      ours += s.last - s.first;
      byKind[s.kind] = (byKind[s.kind] ?? 0) + (s.last - s.first) / 100;
      faultsByKind[s.kind] = (faultsByKind[s.kind] ?? 0) + s.lastFaults - s.firstFaults;
    }
    for (const k of Object.keys(byKind)) byKind[k] = Math.round(byKind[k] * 100) / 100;
    const busy = m.busy - this.machine0.busy;
    const total = m.total - this.machine0.total;
    const r = (ticks: number) => Math.round(ticks) / 100;
    return {
      ours: r(ours),
      machineBusy: r(busy),
      others: r(Math.max(0, busy - ours)),
      idle: r(total - busy),
      wall: (Date.now() - this.started) / 1000,
      byKind,
      faultsByKind,
    };
  }
}
