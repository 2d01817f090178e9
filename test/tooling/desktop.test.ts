import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/** Runs `npm run <script>`; resolves with its exit code and output whether it fails or not. */
async function npmRun(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['run', '--silent', script], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run start:desktop / npm run stop (scripts/desktop.ts)', () => {
  before(function () {
    // office-addin-debugging sideloads into Outlook on Windows only; there it would really start Outlook.
    if (process.platform === 'win32') this.skip();
  });

  for (const script of ['start:desktop', 'stop']) {
    it(`${script}: off Windows, exits 1 saying why and what to do instead, without calling office-addin-debugging`, async () => {
      const { code, stdout, stderr } = await npmRun(script);
      assert.equal(code, 1);
      assert.match(stderr, /Sideloading into Outlook desktop needs Windows|cannot sideload into Outlook on macOS/);
      assert.match(stderr, /npm start/);
      assert.match(stderr, /demo\.html/);
      assert.match(stderr, /see "Sideload into Outlook" in README\.md/);
      assert.doesNotMatch(stdout, /office-addin-debugging/, 'office-addin-debugging was not run');
      assert.doesNotMatch(stdout, /Building the pane/, 'nothing was built');
    });
  }
});
