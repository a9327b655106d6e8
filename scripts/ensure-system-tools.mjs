// Before the demo: the system tools it needs that no npm package ships. ffmpeg comes from npm
// (@ffmpeg-installer) when the system has none; the fairy tale's voices need espeak-ng and the
// title card's Korean letters need fonts-nanum, both Debian packages. Missing → installed with
// apt-get when this user may (root, or sudo without a password); otherwise the command to run is
// printed and the demo stops before doing any work.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const TOOLS = [
  { name: 'espeak-ng', pkg: 'espeak-ng', why: "the fairy tale's narrator and lines, and the stand-in child's voice", present: () => has('espeak-ng') },
  {
    name: 'the Nanum fonts',
    pkg: 'fonts-nanum',
    why: "the title card with the child's name (Korean letters)",
    present: () => existsSync('/usr/share/fonts/truetype/nanum/NanumSquareRoundB.ttf'),
  },
];

const missing = TOOLS.filter((t) => !t.present());
if (missing.length === 0) process.exit(0);

const pkgs = missing.map((t) => t.pkg);
for (const t of missing) console.log(`demo: ${t.name} is missing (${t.why})`);
const root = typeof process.getuid === 'function' && process.getuid() === 0;
const sudo = !root && has('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
if (has('apt-get') && (root || sudo)) {
  const run = (args) =>
    execFileSync(root ? args[0] : 'sudo', root ? args.slice(1) : args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    console.log(`demo: installing ${pkgs.join(' ')} with apt-get`);
    run(['apt-get', 'update', '-qq']);
    run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...pkgs]);
  } catch {
    // reported below
  }
}
const still = missing.filter((t) => !t.present());
if (still.length > 0) {
  console.error(`demo: please install ${still.map((t) => t.pkg).join(' ')} first (Debian/Ubuntu: sudo apt-get install ${still.map((t) => t.pkg).join(' ')})`);
  process.exit(1);
}
