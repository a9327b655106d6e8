// Command-line entry point (no HTTP): `npm run cli -- <command> [options]`. Thin wiring over
// the same libraries the API uses.
import 'reflect-metadata';
import { ConfigError } from '@talecast/config/app-config';
import { TalecastError } from '@talecast/core/talecast-error';
import { UsageError } from './cli-args';

type Run = (argv: string[]) => Promise<void>;

// Each command's module (and the libraries it pulls in: Nest, the database, the face models'
// code, the render engine) is loaded only when that command runs: loading all of them cost every
// command, `--help` included, about a second before it did anything.
const COMMANDS: Record<string, { load: () => Promise<Run>; usage: string }> = {
  demo: {
    load: async () => (await import('./commands/demo.command')).demoCommand,
    usage: 'demo [--seconds 20]                                   run every part once on generated data and say what happened',
  },
  fixtures: {
    load: async () => (await import('./commands/fixtures.command')).fixturesCommand,
    usage: 'fixtures [--seconds 20] [--variant a|b] [--out DIR]   generate a story fixture video',
  },
  precompute: {
    load: async () => (await import('./commands/precompute.command')).precomputeCommand,
    usage: 'precompute --story <id> --video <file> --masks <file> [--lines <file>] [--title <text>] [--reference <image>] [--style photo|toon]',
  },
  render: {
    load: async () => (await import('./commands/render.command')).renderCommand,
    usage: 'render --story <id> --face <image> [--face <image> …] [--voice <lineId>=<audio> …] [--name <child> [--language en|ko]] [--out <file.mp4>]',
  },
  lines: {
    load: async () => (await import('./commands/lines.command')).linesCommand,
    usage: "lines --story <id>                                   the story's spoken lines as JSON [{id, role, from, to, text}]",
  },
  purge: {
    load: async () => (await import('./commands/purge.command')).purgeCommand,
    usage: 'purge [--dry-run]                                    remove expired faces, videos and orphaned files (--dry-run: only list them)',
  },
  tale: {
    load: async () => (await import('./commands/tale.command')).taleCommand,
    usage: 'tale [--seconds 30] [--size 1280x720] [--fps 30] [--seed 1] [--silent] [--out DIR]  generate the animated fairy tale "The Golden Key"',
  },
  stories: {
    load: async () => (await import('./commands/stories.command')).storiesCommand,
    usage: 'stories [--json]                                     list stories and their status',
  },
};

function usage(): string {
  return `usage: npm run cli -- <command> [options]\n\n${Object.values(COMMANDS)
    .map((c) => `  ${c.usage}`)
    .join('\n')}\n`;
}

async function main(): Promise<void> {
  const [name, ...argv] = process.argv.slice(2);
  if (!name || name === '--help' || name === 'help') {
    process.stdout.write(usage());
    return;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}"`);
  await (
    await command.load()
  )(argv);
}

main().then(
  () => process.exit(0),
  (err) => {
    if (err instanceof UsageError) process.stderr.write(`error: ${err.message}\n\n${usage()}`);
    else if (err instanceof TalecastError) process.stderr.write(`error ${err.code}: ${err.message}\n`);
    else if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`error: ${(err as Error).stack ?? err}\n`);
    process.exit(err instanceof UsageError ? 64 : err instanceof ConfigError ? 78 : err instanceof TalecastError ? 65 : 1);
  },
);
