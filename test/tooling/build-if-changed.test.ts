import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BUILD_OUTPUTS, decideBuild, recordBuild, STAMP } from '../../scripts/build-if-changed';

/** A stand-in repository: the build's inputs and, optionally, its outputs (no webpack involved). */
function fakeRepository(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-build-'));
  const write = (file: string, content: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  };
  write('addin/index.tsx', 'export {};\n');
  write('addin/build/icons.ts', '// icons\n');
  write('shared/api.ts', 'export const API = 1;\n');
  write('test/office-simulator/simulator.ts', 'export {};\n');
  write('test/server/other.test.ts', '// not a build input\n');
  write('server/main.ts', '// not a build input\n');
  write('webpack.config.mjs', 'export default {};\n');
  write('tsconfig.json', '{}\n');
  write('package-lock.json', '{}\n');
  write(
    'package.json',
    JSON.stringify({ type: 'module', scripts: { build: 'webpack', start: 'a' }, dependencies: { react: '18' } }),
  );
  for (const file of BUILD_OUTPUTS) write(file, 'built\n');
  return root;
}

describe('npm start builds the pane only when it changed (scripts/build-if-changed.ts)', () => {
  let root: string;
  const change = (file: string, content: string) => fs.writeFileSync(path.join(root, file), content);

  beforeEach(() => {
    root = fakeRepository();
    recordBuild(root, decideBuild(root).hash);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('skips the build when the outputs exist and the inputs are the ones last built', () => {
    const decision = decideBuild(root);
    assert.equal(decision.needed, false, decision.reason);
  });

  it('builds when never built here (no stamp), or when an output is missing', () => {
    fs.rmSync(path.join(root, STAMP));
    assert.equal(decideBuild(root).needed, true);
    recordBuild(root, decideBuild(root).hash);
    fs.rmSync(path.join(root, 'dist/addin/taskpane.html'));
    assert.match(decideBuild(root).reason, /taskpane\.html is missing/);
  });

  for (const [what, file] of [
    ['a pane source', 'addin/index.tsx'],
    ['the icon script', 'addin/build/icons.ts'],
    ['a shared schema', 'shared/api.ts'],
    ['the Office simulator (bundled into the demo page)', 'test/office-simulator/simulator.ts'],
    ['the webpack config', 'webpack.config.mjs'],
    ['tsconfig.json', 'tsconfig.json'],
    ['the lock file', 'package-lock.json'],
  ]) {
    it(`builds when ${what} changed`, () => {
      change(file, '// changed\n');
      const decision = decideBuild(root);
      assert.equal(decision.needed, true);
      assert.match(decision.reason, /inputs changed/);
    });
  }

  it('builds when a file is added to or removed from an input folder', () => {
    change('addin/new-view.tsx', 'export {};\n');
    assert.equal(decideBuild(root).needed, true);
    recordBuild(root, decideBuild(root).hash);
    fs.rmSync(path.join(root, 'addin/new-view.tsx'));
    assert.equal(decideBuild(root).needed, true);
  });

  it("builds when package.json's build script or dependencies change, not when another script does", () => {
    const pkg = (scripts: object, dependencies: object) =>
      change('package.json', JSON.stringify({ type: 'module', scripts, dependencies }));
    pkg({ build: 'webpack', start: 'b', validate: 'c' }, { react: '18' });
    assert.equal(decideBuild(root).needed, false, 'another script changed');
    pkg({ build: 'webpack --mode development', start: 'b' }, { react: '18' });
    assert.equal(decideBuild(root).needed, true, 'the build script changed');
    pkg({ build: 'webpack', start: 'b' }, { react: '19' });
    assert.equal(decideBuild(root).needed, true, 'a dependency changed');
  });

  it('ignores files the build does not read (the server, other tests)', () => {
    change('server/main.ts', '// changed\n');
    change('test/server/other.test.ts', '// changed\n');
    assert.equal(decideBuild(root).needed, false);
  });

  it('hashes the real repository', () => {
    const { hash } = decideBuild(path.resolve(import.meta.dirname, '../..'));
    assert.match(hash, /^[0-9a-f]{64}$/);
  });
});
