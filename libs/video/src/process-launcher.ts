// A small perl process that starts a thread's ffmpeg runs, so the large Node process does not fork
// for each. On this project's machines a fork is paid twice by the forking process: the copy of its
// page tables (~27 ms of CPU for a 1.2 GB Node process, ~13 ms for 250 MB), then one write-protect
// fault for every page it writes afterwards (~19 µs each on a virtual machine: 200 MB written after
// one fork cost 0.96 CPU-s, 2 ms without the fork). perl forks in ~0.5 ms. It also makes FIFOs and
// sets pipe sizes, which Node cannot (no mkfifo, no fcntl) and which cost a process start each.
// perl-base is essential in Debian (every image this runs in has it); where perl cannot start, the
// caller starts its processes itself.
import { ChildProcess, spawn } from 'node:child_process';
import { FfmpegError, parentDeathCommand } from './ffmpeg-process';

/**
 * The launcher's protocol, one line per message, every text field hex-encoded (paths and arguments
 * may hold any byte but NUL). In: `run <id> <niceness> <stdout 0|1> <environment additions|-> <argv…>`, `kill <id> <signal>`,
 * `fifo <id> <mode> <path…>` (mkfifo), `size <id> <bytes> <path…>` (F_SETPIPE_SZ on FIFOs open at
 * both ends), `wrap <hex of the wrapper's shell check>`. Out: `pid <id> <pid>`, `out <id> <hex>`,
 * `err <id> <hex>`, `exit <id> <code> <signal>` (after the run's output is drained), `ok <id>`,
 * `fail <id> <hex message>`.
 * Each run's process is its child, started through `setpriv --pdeathsig KILL` and a shell that
 * checks its parent is still this perl (as parentDeathCommand does for Node's own children), and
 * this perl is started that way by the Node thread: a killed server leaves no ffmpeg behind.
 */
const SCRIPT = String.raw`
use strict; use warnings; use POSIX (); use IO::Select; use Fcntl ();
$| = 1; $SIG{CHLD} = sub {}; $SIG{PIPE} = 'IGNORE';
my $sel = IO::Select->new(\*STDIN); my (%runs, %pipe, %pidrun); my $in = ''; my @wrap;
sub hex2 { pack 'H*', $_[0] } sub say2 { print join(' ', @_), "\n" }
sub finish { my $id = shift; my $r = $runs{$id}; return if $r->{open} || !defined $r->{status};
  my $s = $r->{status}; say2('exit', $id, ($s & 127) ? -1 : $s >> 8, $s & 127); delete $runs{$id} }
sub reap { while ((my $p = waitpid(-1, POSIX::WNOHANG())) > 0) { my $id = delete $pidrun{$p};
  next unless defined $id; $runs{$id}{status} = $?; finish($id) } }
sub command { my ($op, $id, @f) = split / /, shift;
  if ($op eq 'wrap') { @wrap = ('/usr/bin/setpriv', '--pdeathsig', 'KILL', '--', '/bin/sh', '-c', hex2($id), $$) if $id ne '-'; return }
  if ($op eq 'run') { my ($nice, $wantOut, $env, @argv) = @f; @argv = map { hex2($_) } @argv;
    pipe(my $er, my $ew) or return say2('fail', $id, unpack 'H*', "pipe: $!"); my ($or, $ow);
    if ($wantOut) { pipe($or, $ow) or return say2('fail', $id, unpack 'H*', "pipe: $!") }
    my $pid = fork; return say2('fail', $id, unpack 'H*', "fork: $!") unless defined $pid;
    if (!$pid) { open STDIN, '<', '/dev/null'; if ($wantOut) { open STDOUT, '>&', $ow } else { open STDOUT, '>', '/dev/null' }
      open STDERR, '>&', $ew; setpriority(0, 0, $nice) if $nice; my @cmd = (@wrap, @argv);
      if ($env ne '-') { for (split /\0/, hex2($env)) { my ($k, $v) = split /=/, $_, 2; $ENV{$k} = $v } }
      exec { $cmd[0] } @cmd; print STDERR "exec $cmd[0]: $!\n"; POSIX::_exit(127) }
    close $ew; close $ow if $ow; $runs{$id} = { pid => $pid, open => 0 }; $pidrun{$pid} = $id; say2('pid', $id, $pid);
    for ([$er, 'err'], $or ? [$or, 'out'] : ()) { $pipe{$_->[0]} = [$id, $_->[1]]; $sel->add($_->[0]); $runs{$id}{open}++ }
    return }
  if ($op eq 'kill') { my $r = $runs{$id}; kill $f[0], $r->{pid} if $r && !defined $r->{status}; return }
  if ($op eq 'fifo') { my $mode = oct shift @f; for (@f) { POSIX::mkfifo(hex2($_), $mode) or return say2('fail', $id, unpack 'H*', hex2($_) . ": $!") } return say2('ok', $id) }
  if ($op eq 'size') { my $bytes = 0 + shift @f; for (@f) { my $p = hex2($_);
      open(my $h, '+<', $p) or return say2('fail', $id, unpack 'H*', "$p: $!"); fcntl($h, 1031, $bytes) or return say2('fail', $id, unpack 'H*', "$p: $!"); close $h }
    return say2('ok', $id) } }
while (1) { reap();
  my @ready = $sel->can_read(scalar(grep { !defined $_->{status} } values %runs) ? 0.02 : undef);
  for my $h (@ready) {
    if (fileno($h) == 0) { my $n = sysread(STDIN, $in, 65536, length $in); exit 0 unless $n;
      while ((my $nl = index($in, "\n")) >= 0) { command(substr($in, 0, $nl)); substr($in, 0, $nl + 1) = '' } next }
    my ($id, $kind) = @{$pipe{$h}}; my $n = sysread($h, my $buf, 65536);
    if ($n) { say2($kind, $id, unpack 'H*', $buf); next }
    $sel->remove($h); close $h; delete $pipe{$h}; $runs{$id}{open}--; finish($id) } }
`;

/** The largest pipe an unprivileged process may ask for by default (/proc/sys/fs/pipe-max-size). */
export const LARGE_PIPE_BYTES = 1048576;

/** A process started by the launcher: what a caller of startFfmpeg uses of a ChildProcess. */
export interface LaunchedRun {
  /** The process id once known (the launcher reports it right after its fork). */
  readonly pid: Promise<number>;
  /** Sends a signal (only while the process has not been reaped: no stray pid is ever signalled). */
  kill(signal?: NodeJS.Signals): void;
  /** Output text as it comes (only with `stdout: true`). */
  onStdout(listener: (text: string) => void): void;
  /** Resolves on exit 0, rejects with FfmpegError otherwise (after all its output was passed on). */
  readonly done: Promise<void>;
  readonly commandLine: string;
}

interface Pending {
  resolve: (line: string[]) => void;
}

interface RunState {
  stdout: ((text: string) => void)[];
  stderrTail: string;
  pid: (pid: number) => void;
  exit: (fields: string[]) => void;
}

const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');
const unhex = (h: string) => Buffer.from(h, 'hex').toString('utf8');

export class ProcessLauncher {
  private nextId = 1;
  private buffered = '';
  private readonly runs = new Map<string, RunState>();
  private readonly requests = new Map<string, Pending>();
  private failure: Error | null = null;
  private activeRuns = 0;

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.setEncoding('latin1');
    child.stdout!.on('data', (text: string) => this.receive(text));
    child.stderr!.setEncoding('utf8');
    let tail = '';
    child.stderr!.on('data', (text: string) => (tail = (tail + text).slice(-2000)));
    child.on('error', (err) => this.fail(new Error(`process launcher: ${err.message}`)));
    child.on('close', (code, signal) => this.fail(new Error(`process launcher exited (${code ?? signal}) ${tail.trim()}`)));
    child.stdin!.on('error', () => undefined); // a dead launcher is reported by 'close'
    this.idle();
  }

  /**
   * Starts a launcher for this thread; resolves to null when perl cannot run here (the caller then
   * starts its processes itself). The launcher costs one process start, paid when the thread starts.
   */
  static async start(): Promise<ProcessLauncher | null> {
    if (process.platform !== 'linux') return null;
    const [file, argv] = parentDeathCommand('perl', ['-e', SCRIPT]);
    let launcher: ProcessLauncher;
    try {
      launcher = new ProcessLauncher(spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'] }));
    } catch {
      return null;
    }
    const pid = launcher.child.pid;
    // The launcher's own children go through the same guard as Node's, with the launcher as their parent.
    const [wrapper] = parentDeathCommand('ffmpeg', [], pid ?? 0);
    const guard = wrapper === 'ffmpeg' ? '-' : hex('test "$PPID" = "$0" && exec "$@"');
    launcher.send(`wrap ${guard}`);
    // One round trip: perl is up and answers.
    const ok = await launcher.request('fifo', ['600']).then(
      () => true,
      () => false,
    );
    if (!ok) {
      launcher.close();
      return null;
    }
    return launcher;
  }

  /** Whether the launcher still runs (a failed one is replaced by the caller). */
  get usable(): boolean {
    return this.failure === null;
  }

  /** Starts `binary args` at `niceness` with `env` added to the environment; stdin is /dev/null, stdout captured only when asked. */
  run(binary: string, args: string[], options: { stdout?: boolean; niceness?: number; env?: Record<string, string> } = {}): LaunchedRun {
    const id = String(this.nextId++);
    const commandLine = [binary, ...args].join(' ');
    let resolvePid!: (pid: number) => void;
    let rejectPid!: (err: Error) => void;
    const pid = new Promise<number>((resolve, reject) => ((resolvePid = resolve), (rejectPid = reject)));
    pid.catch(() => undefined);
    const state: RunState = { stdout: [], stderrTail: '', pid: resolvePid, exit: () => undefined };
    const done = new Promise<void>((resolve, reject) => {
      state.exit = ([code, signal]) => {
        this.runs.delete(id);
        if (--this.activeRuns === 0) this.idle();
        rejectPid(new Error('exited'));
        if (code === '0') resolve();
        else reject(new FfmpegError(commandLine, signal !== '0' ? null : Number(code), state.stderrTail.split('\n').slice(-15).join('\n')));
      };
    });
    if (this.failure) {
      const err = new FfmpegError(commandLine, null, this.failure.message);
      return { pid, kill: () => undefined, onStdout: () => undefined, done: Promise.reject(err), commandLine };
    }
    this.runs.set(id, state);
    if (this.activeRuns++ === 0) this.busy();
    const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
    const envField = env.length ? hex(env.join('\0')) : '-';
    this.send(`run ${id} ${Math.round(options.niceness ?? 0)} ${options.stdout ? 1 : 0} ${envField} ${[binary, ...args].map(hex).join(' ')}`);
    return {
      pid,
      kill: (signal = 'SIGTERM') => this.send(`kill ${id} ${signal.replace(/^SIG/, '')}`),
      onStdout: (listener) => state.stdout.push(listener),
      done,
      commandLine,
    };
  }

  /** Makes FIFOs (mkfifo with `mode`, octal text). */
  async makeFifos(paths: string[], mode = '600'): Promise<void> {
    await this.request('fifo', [mode, ...paths.map(hex)]);
  }

  /** Sets the kernel buffer of FIFOs already open at both ends (F_SETPIPE_SZ). */
  async setPipeSize(paths: string[], bytes: number): Promise<void> {
    await this.request('size', [String(bytes), ...paths.map(hex)]);
  }

  close(): void {
    this.child.stdin!.end();
    this.child.kill('SIGKILL');
  }

  private request(op: string, fields: string[]): Promise<string[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = `r${this.nextId++}`;
    return new Promise<string[]>((resolve, reject) => {
      this.requests.set(id, {
        resolve: ([kind, ...rest]) => (kind === 'ok' ? resolve(rest) : reject(new Error(unhex(rest[0] ?? '')))),
      });
      if (this.activeRuns === 0 && this.requests.size === 1) this.busy();
      this.send(`${op} ${id} ${fields.join(' ')}`);
    }).finally(() => {
      this.requests.delete(id);
      if (this.activeRuns === 0 && this.requests.size === 0) this.idle();
    });
  }

  private send(line: string): void {
    if (!this.failure) this.child.stdin!.write(line + '\n');
  }

  private receive(text: string): void {
    this.buffered += text;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const [kind, id, ...rest] = this.buffered.slice(0, nl).split(' ');
      this.buffered = this.buffered.slice(nl + 1);
      const run = this.runs.get(id);
      if (kind === 'pid') run?.pid(Number(rest[0]));
      else if (kind === 'out' && run) for (const l of run.stdout) l(unhex(rest[0]));
      else if (kind === 'err' && run) run.stderrTail = (run.stderrTail + unhex(rest[0])).slice(-4000);
      else if (kind === 'exit') run?.exit(rest);
      else if (kind === 'fail' && run) {
        run.stderrTail += unhex(rest[0]);
        run.exit(['127', '0']);
      } else this.requests.get(id)?.resolve([kind, ...rest]);
    }
  }

  /** The launcher gone: every run and request still open fails (their processes die with it: parent-death signal). */
  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const run of [...this.runs.values()]) {
      run.stderrTail += `\n${err.message}`;
      run.exit(['-1', '9']);
    }
    for (const [id, r] of this.requests) r.resolve(['fail', id, hex(err.message)]);
  }

  /** While nothing runs the launcher does not keep the thread's event loop alive. */
  private idle(): void {
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as unknown as { unref?: () => void })?.unref?.();
  }

  private busy(): void {
    this.child.ref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as unknown as { ref?: () => void })?.ref?.();
  }
}
