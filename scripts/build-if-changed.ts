/**
 * `npm start` runs this before the server: `npm run build` only when the pane's build is missing or
 * out of date, so a restart with nothing changed does not wait for webpack.
 *
 * "Up to date" means: every output below exists, and dist/addin/.build-inputs.sha256 holds the
 * SHA-256 of the build's inputs (every file under addin/, shared/ and test/office-simulator/ —
 * the demo page bundles the simulator — plus webpack.config.mjs, tsconfig.json, package-lock.json
 * and the parts of package.json a build depends on) as they were when this script last built.
 * The stamp is written only after a successful build, with the hash taken before it started (an
 * edit during the build makes the next start build again). It lives in dist/addin, which webpack
 * empties on every build, so a build run any other way (`npm run build`, `npm test`) drops the stamp
 * and the next start rebuilds rather than trusting output it did not see built.
 *
 * Exit status: 0 when the pane is up to date or was rebuilt, else the build's exit status.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Folders and files the build reads (relative to the repository root). The icon script is addin/build/icons.ts. */
export const BUILD_INPUTS = [
  'addin',
  'shared',
  'test/office-simulator',
  'webpack.config.mjs',
  'tsconfig.json',
  'package-lock.json',
  'package.json',
];
/** Files a successful build leaves behind; if one is missing the build is redone. */
export const BUILD_OUTPUTS = [
  'dist/addin/taskpane.html',
  'dist/addin/demo-taskpane.html',
  'dist/addin/demo.html',
  'dist/addin/commands.html',
  'dist/addin/office-simulator.js',
  'dist/addin/assets/icon-80.png',
  'dist/addin/assets/new-80.png',
];
export const STAMP = 'dist/addin/.build-inputs.sha256';

function filesUnder(root: string, relative: string): string[] {
  const full = path.join(root, relative);
  if (!fs.existsSync(full)) return [];
  if (!fs.statSync(full).isDirectory()) return [relative];
  return fs
    .readdirSync(full, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() || entry.isFile())
    .flatMap((entry) => filesUnder(root, path.posix.join(relative, entry.name)));
}

/** package.json matters to the build through its build script and dependencies, not its other scripts. */
function buildRelevantPackageJson(text: string): string {
  try {
    const pkg = JSON.parse(text) as Record<string, unknown> & { scripts?: Record<string, string> };
    const { type, dependencies, devDependencies } = pkg;
    return JSON.stringify({ type, build: pkg.scripts?.build, dependencies, devDependencies });
  } catch {
    return text;
  }
}

/** SHA-256 over the sorted paths and contents of every input file. */
export function hashInputs(root: string, inputs: readonly string[] = BUILD_INPUTS): string {
  const hash = crypto.createHash('sha256');
  const files = [...new Set(inputs.flatMap((input) => filesUnder(root, input)))].sort();
  for (const file of files) {
    const content = fs.readFileSync(path.join(root, file));
    hash.update(`${file}\0`);
    hash.update(file === 'package.json' ? buildRelevantPackageJson(content.toString('utf8')) : content);
    hash.update('\0');
  }
  return hash.digest('hex');
}

export interface BuildDecision {
  needed: boolean;
  reason: string;
  /** The inputs' hash now, to record once the build succeeds. */
  hash: string;
}

/** Whether `root`'s pane must be built: output missing, never stamped, or built from other inputs. */
export function decideBuild(root: string): BuildDecision {
  const hash = hashInputs(root);
  const missing = BUILD_OUTPUTS.find((file) => !fs.existsSync(path.join(root, file)));
  if (missing) return { needed: true, reason: `${missing} is missing`, hash };
  const stampFile = path.join(root, STAMP);
  if (!fs.existsSync(stampFile))
    return { needed: true, reason: `no record of the inputs dist/addin was built from (${STAMP})`, hash };
  if (fs.readFileSync(stampFile, 'utf8').trim() !== hash)
    return { needed: true, reason: 'the build inputs changed since the last build', hash };
  return { needed: false, reason: 'dist/addin was built from the current inputs', hash };
}

export function recordBuild(root: string, hash: string): void {
  fs.writeFileSync(path.join(root, STAMP), `${hash}\n`);
}

function main(): number {
  const root = path.resolve(import.meta.dirname, '..');
  const decision = decideBuild(root);
  if (!decision.needed) {
    console.log(`Pane is up to date (${decision.reason}); skipping the build.`);
    return 0;
  }
  console.log(`Building the pane: ${decision.reason}.`);
  const build = spawnSync('npm', ['run', 'build'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (build.status !== 0) return build.status ?? 1;
  recordBuild(root, decision.hash);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) process.exit(main());
