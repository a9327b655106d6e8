// A one-line progress bar for terminals; silent when stdout is not a TTY (CI, pipes), so logs
// stay clean. Ends with a one-line summary written by the caller.
export class ProgressBar {
  private last = 0;
  private readonly tty = process.stdout.isTTY === true;

  constructor(private readonly label: string) {}

  update(fraction: number, detail = ''): void {
    if (!this.tty) return;
    const now = Date.now();
    if (now - this.last < 80 && fraction < 1) return;
    this.last = now;
    const width = 28;
    const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
    process.stdout.write(
      `\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${detail}`.padEnd(100).slice(0, 100),
    );
  }

  done(): void {
    if (this.tty) process.stdout.write('\r' + ' '.repeat(100) + '\r');
  }
}
