// Command-line entry point (no HTTP): `npm run cli -- <command> [options]`. Thin wiring over
// the same libraries the API uses.
import 'reflect-metadata';
import { ConfigError } from '@talecast/config';
import { TalecastError } from '@talecast/core';
import { UsageError } from './cli-args';
import { fixturesCommand } from './commands/fixtures.command';
import { storiesCommand } from './commands/stories.command';
import { demoCommand } from './commands/demo.command';
import { precomputeCommand } from './commands/precompute.command';
import { renderCommand } from './commands/render.command';
import { purgeCommand } from './commands/purge.command';
import { linesCommand } from './commands/lines.command';
import { taleCommand } from './commands/tale.command';

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<void>; usage: string }> = {
  demo: { run: demoCommand, usage: 'demo [--seconds 20]                                   run every part once on generated data and say what happened' },
  fixtures: { run: fixturesCommand, usage: 'fixtures [--seconds 20] [--variant a|b] [--out DIR]   generate a story fixture video' },
  precompute: {
    run: precomputeCommand,
    usage: 'precompute --story <id> --video <file> --masks <file> [--lines <file>] [--title <text>] [--reference <image>] [--style photo|toon]',
  },
  render: {
    run: renderCommand,
    usage: 'render --story <id> --face <image> [--face <image> …] [--voice <lineId>=<audio> …] [--name <child> [--language en|ko]] [--out <file.mp4>]',
  },
  lines: { run: linesCommand, usage: "lines --story <id>                                   the story's spoken lines as JSON [{id, role, from, to, text}]" },
  purge: {
    run: purgeCommand,
    usage: 'purge [--dry-run]                                    remove expired faces, videos and orphaned files (--dry-run: only list them)',
  },
  tale: {
    run: taleCommand,
    usage: 'tale [--seconds 30] [--size 1280x720] [--fps 30] [--seed 1] [--silent] [--out DIR]  generate the animated fairy tale "The Golden Key"',
  },
  stories: { run: storiesCommand, usage: 'stories [--json]                                     list stories and their status' },
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
  await command.run(argv);
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
