/**
 * `npm run start:desktop` / `npm run stop`: sideload Regarding into Outlook on the desktop with
 * office-addin-debugging, as Microsoft's add-in generator sets it up, or say plainly why not.
 *
 * office-addin-debugging 7 (through office-addin-dev-settings 4) sideloads into Outlook on Windows only:
 *   start  registers manifest.xml for the Microsoft 365 account signed in to Outlook (it runs
 *          `npx -p @microsoft/m365agentstoolkit-cli atk install --xml-path manifest.xml`, which signs in
 *          and downloads that toolkit on first use), sets the add-in's developer settings in the registry,
 *          starts our server as its "dev server" (`npm run serve -- --demo`, detached, in the background) unless
 *          something already listens on port 3000, and opens classic Outlook (16.0.13709 or newer).
 *   stop   clears those settings, uninstalls the add-in from the account and stops the server it started.
 * On macOS it copies nothing for Outlook and then fails with "Sideload to the Outlook app is not supported"
 * (its sideloading to Mac covers Excel, PowerPoint and Word); elsewhere it does not run at all. So on
 * any platform but Windows both commands print what to do instead and exit 1, before calling it.
 *
 * start builds the pane first when it changed (scripts/build-if-changed.ts), so the server is up within
 * office-addin-debugging's 30-second wait. manifest.xml points at https://localhost:3000, so PORT must be
 * 3000 and TLS on. office-addin-debugging reports its own failures with exit status 0; this script
 * watches its stderr and exits 1 when it says it was unable to start or stop.
 *
 * Exit status: 0 done; 1 not possible on this platform or configuration, or office-addin-debugging failed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const MANIFEST = 'manifest.xml';

function unsupportedMessage(platform: NodeJS.Platform): string | undefined {
  if (platform === 'win32') return undefined;
  const why =
    platform === 'darwin'
      ? 'office-addin-debugging cannot sideload into Outlook on macOS (only into Outlook on Windows)'
      : `Sideloading into Outlook desktop needs Windows (office-addin-debugging cannot sideload into Outlook on ${platform})`;
  return [
    `${why}.`,
    'Instead: `npm start`, then open https://localhost:3000/demo.html for the demo page, or sideload',
    'manifest.xml by hand in Outlook on the web, the new Outlook or Outlook for Mac (Get Add-ins → My add-ins →',
    'Add a custom add-in → Add from file…): see "Sideload into Outlook" in README.md.',
  ].join('\n');
}

/** Runs office-addin-debugging's CLI; resolves to 1 if it failed (it exits 0 either way), else 0. */
function officeAddinDebugging(args: string[]): Promise<number> {
  const cli = createRequire(import.meta.url).resolve('office-addin-debugging/cli.js');
  console.log(`> office-addin-debugging ${args.join(' ')}`);
  const child = spawn(process.execPath, [cli, ...args], { cwd: ROOT, stdio: ['inherit', 'inherit', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    process.stderr.write(chunk);
  });
  return new Promise((resolve) => {
    child.on('error', (error) => {
      console.error(`Could not run office-addin-debugging: ${error.message}`);
      resolve(1);
    });
    child.on('close', (code) => resolve(code !== 0 || /Unable to (start|stop) debugging/.test(stderr) ? 1 : 0));
  });
}

async function start(): Promise<number> {
  if ((process.env.PORT ?? '3000') !== '3000' || (process.env.TLS ?? 'on') !== 'on') {
    console.error(
      'manifest.xml points at https://localhost:3000: start:desktop needs PORT=3000 and TLS=on (unset both).',
    );
    return 1;
  }
  const build = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/build-if-changed.ts')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (build.status !== 0) return build.status ?? 1;
  const code = await officeAddinDebugging([
    'start',
    MANIFEST,
    'desktop',
    '--app',
    'outlook',
    '--dev-server',
    'npm run serve -- --demo',
    '--dev-server-port',
    '3000',
  ]);
  if (code === 0)
    console.log(
      [
        '',
        'Regarding runs in the background at https://localhost:3000 (npm run stop stops it and removes the add-in).',
        'Demo sign-in tokens: data/demo-sign-in.txt (or wherever DATABASE_FILE is). Trust the certificate in',
        'data/tls/localhost-cert.pem once if Outlook cannot load the pane.',
      ].join('\n'),
    );
  return code;
}

async function main(command: string | undefined): Promise<number> {
  if (command !== 'start' && command !== 'stop') {
    console.error('usage: tsx scripts/desktop.ts start|stop');
    return 1;
  }
  const unsupported = unsupportedMessage(process.platform);
  if (unsupported) {
    console.error(unsupported);
    return 1;
  }
  return command === 'start' ? start() : officeAddinDebugging(['stop', MANIFEST]);
}

process.exitCode = await main(process.argv[2]);
