// Listens on PostgreSQL's NOTIFY channel for new jobs and wakes this process's workers, so a job
// sent by another process (the API, a CLI) starts at once rather than at the next poll. One
// dedicated connection; when it drops, it reconnects after a pause (the poll covers the gap).
import { Client } from 'pg';

export const WAKEUP_CHANNEL = 'talecast_jobs';
const RECONNECT_MS = 5000;

export class JobWakeups {
  private client: Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly onJob: (name: string) => void,
    private readonly log: (message: string) => void,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect().catch((err: Error) => this.lost(err));
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.url, application_name: 'talecast-wakeups' });
    client.on('notification', (n) => {
      if (n.channel === WAKEUP_CHANNEL && n.payload) this.onJob(n.payload);
    });
    client.on('error', (err) => this.lost(err));
    client.on('end', () => this.lost(new Error('connection ended')));
    this.client = client;
    await client.connect();
    await client.query(`LISTEN ${WAKEUP_CHANNEL}`);
  }

  /** The connection failed or ended: try again later unless stopping. */
  private lost(err: Error): void {
    if (this.stopped || this.retry) return;
    this.log(`job wake-ups paused (${err.message}); polling meanwhile`);
    const old = this.client;
    this.client = undefined;
    old?.removeAllListeners();
    old?.on('error', () => undefined);
    void old?.end().catch(() => undefined);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (!this.stopped) void this.connect().catch((e: Error) => this.lost(e));
    }, RECONNECT_MS);
    this.retry.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.retry = undefined;
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
  }
}
