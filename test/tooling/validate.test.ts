import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import dns from 'node:dns/promises';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const SERVICE_HOST = 'validationgateway.omex.office.net';

/** `npm run validate [-- file]`; resolves with its exit code and output. */
async function validate(
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npm', ['run', '--silent', 'validate', '--', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run validate (scripts/validate-manifest.ts)', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-validate-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("offline: says Microsoft's validator could not be reached, runs the local XSD check instead, exits 2", async function () {
    const reachable = await dns.lookup(SERVICE_HOST).then(
      () => true,
      () => false,
    );
    // With network the online validator answers (exit 0 or 1); the timeout test below covers exit 2 there.
    if (reachable) this.skip();
    const { code, stdout } = await validate();
    assert.equal(code, 2, stdout);
    assert.match(stdout, /The online validation could not run: Unable to contact the manifest validation service/);
    assert.match(stdout, /Local XSD check passed/);
  });

  it('a validator that does not answer within VALIDATE_TIMEOUT_MS counts as unreachable: local XSD check, exit 2', async () => {
    const { code, stdout } = await validate([], { VALIDATE_TIMEOUT_MS: '1' });
    assert.equal(code, 2, stdout);
    assert.match(stdout, /The online validation could not run: no answer within 1 ms/);
    assert.match(stdout, /Local XSD check passed/);
  });

  it('a manifest that breaks the schema exits 1 with xmllint’s reason', async () => {
    const file = path.join(dir, 'invalid.xml');
    const xml = fs.readFileSync(path.join(ROOT, 'manifest.xml'), 'utf8');
    fs.writeFileSync(file, xml.replace('<Version>1.0.0.0</Version>', '<Version>one</Version>'));
    const { code, stderr } = await validate([file], { VALIDATE_TIMEOUT_MS: '1' });
    assert.equal(code, 1, stderr);
    assert.match(stderr, /Local XSD check failed/);
    assert.match(stderr, /Version.*The value 'one' is not accepted/);
  });

  it('a file that is not XML exits 1 before any validation', async () => {
    const file = path.join(dir, 'broken.xml');
    fs.writeFileSync(file, '<OfficeApp');
    const { code, stdout, stderr } = await validate([file]);
    assert.equal(code, 1);
    assert.match(stderr, /is not a readable add-in manifest/);
    assert.doesNotMatch(stdout, /online manifest validator/);
  });

  it('offline without the schemas exits 3, saying where they come from', async () => {
    const { code, stderr } = await validate([], {
      VALIDATE_TIMEOUT_MS: '1',
      OFFICE_MANIFEST_XSD_DIR: path.join(dir, 'no-schemas'),
    });
    assert.equal(code, 3);
    assert.match(stderr, /The local XSD check could not run either/);
    assert.match(stderr, /MS-OWEMXML/);
    assert.match(stderr, /\.\.\/shared\/office-manifest-xsd/);
  });
});
