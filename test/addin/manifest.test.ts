import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '../..');
// Microsoft's manifest schemas sit beside the repository (../shared, see its README); OFFICE_MANIFEST_XSD_DIR overrides.
const XSD_DIR = process.env.OFFICE_MANIFEST_XSD_DIR ?? path.resolve(ROOT, '../shared/office-manifest-xsd');
const SCHEMA = path.join(XSD_DIR, 'OfficeAppManifestV1_1.xsd');
const MANIFEST = path.join(ROOT, 'manifest.xml');
const run = promisify(execFile);

function validate(file: string): string {
  if (!fs.existsSync(SCHEMA))
    throw new Error(`Microsoft's manifest schemas are not at ${XSD_DIR}; set OFFICE_MANIFEST_XSD_DIR.`);
  try {
    return execFileSync('xmllint', ['--noout', '--schema', SCHEMA, file], {
      encoding: 'utf8',
      stdio: 'pipe',
    }).toString();
  } catch (error) {
    const e = error as { stderr?: string };
    throw new Error(`${file} does not validate against Microsoft's schema:\n${e.stderr}`, { cause: error });
  }
}

/** Attribute values selected by an XPath, using xmllint (namespaces matched by local name). */
function attributes(xpath: string): string[] {
  const out = execFileSync('xmllint', ['--xpath', xpath, MANIFEST], { encoding: 'utf8' });
  return [...out.matchAll(/\w+="([^"]*)"/g)].map((m) => m[1]);
}

const el = (name: string) => `*[local-name()='${name}']`;
const SCOPES = {
  'VersionOverrides 1.0': `/${el('OfficeApp')}/${el('VersionOverrides')}`,
  'VersionOverrides 1.1': `/${el('OfficeApp')}/${el('VersionOverrides')}/${el('VersionOverrides')}`,
};

describe('manifest.xml', () => {
  it("validates against Microsoft's Office add-in manifest schemas", () => {
    validate(MANIFEST);
  });

  for (const [scope, root] of Object.entries(SCOPES)) {
    it(`${scope}: every resid is defined once, and control and group ids are unique`, () => {
      const defined = attributes(`${root}/${el('Resources')}//@id`);
      const duplicates = defined.filter((id, i) => defined.indexOf(id) !== i);
      assert.deepEqual(duplicates, [], 'resource ids defined twice');
      const used = new Set(attributes(`${root}/${el('Hosts')}//@resid`));
      assert.ok(used.size > 10);
      const undefinedIds = [...used].filter((id) => !defined.includes(id));
      assert.deepEqual(undefinedIds, [], 'resids used but not defined');
      const unused = defined.filter((id) => !used.has(id));
      assert.deepEqual(unused, [], 'resources defined but never used');
      for (const kind of ['Control', 'Group']) {
        const ids = attributes(`${root}/${el('Hosts')}//${el(kind)}/@id`);
        assert.ok(ids.length > 0);
        assert.deepEqual(
          ids.filter((id, i) => ids.indexOf(id) !== i),
          [],
          `${kind} ids must be unique`,
        );
      }
    });
  }

  it('puts Set Regarding and New Opportunity on the read, compose, organizer and attendee surfaces, pinnable where Outlook allows', () => {
    for (const surface of [
      'MessageReadCommandSurface',
      'MessageComposeCommandSurface',
      'AppointmentOrganizerCommandSurface',
      'AppointmentAttendeeCommandSurface',
    ]) {
      const controls = attributes(
        `${SCOPES['VersionOverrides 1.1']}//${el('ExtensionPoint')}[@*[local-name()='type']='${surface}']//${el('Control')}/@id`,
      );
      assert.equal(controls.length, 2, surface);
    }
    const xml = fs.readFileSync(MANIFEST, 'utf8');
    assert.match(xml, /<Set Name="Mailbox" MinVersion="1\.8"\/>/);
    assert.match(xml, /<Permissions>ReadWriteItem<\/Permissions>/);
    assert.match(xml, /<SupportsPinning>true<\/SupportsPinning>/);
    assert.match(xml, /MobileMessageReadCommandSurface/);
  });

  it('names only icons the build produces', () => {
    const assets = path.join(ROOT, 'dist/addin/assets');
    assert.ok(fs.existsSync(assets), 'run `npm run build` first (npm test does)');
    const urls = [
      ...fs.readFileSync(MANIFEST, 'utf8').matchAll(/https:\/\/localhost:3000\/assets\/([\w-]+\.png)/g),
    ].map((m) => m[1]);
    assert.ok(urls.length >= 14);
    for (const file of new Set(urls)) {
      const png = fs.readFileSync(path.join(assets, file));
      assert.equal(png.subarray(1, 4).toString(), 'PNG', file);
      const size = Number(/-(\d+)\.png$/.exec(file)![1]);
      assert.equal(png.readUInt32BE(16), size, `${file} is ${size}px wide`);
    }
  });

  it("is rewritten for a deployment's origin by `npm run manifest`, and refuses plain HTTP", async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-manifest-')), 'manifest.xml');
    const tsx = (args: string[]) =>
      run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/cli/manifest.ts'), ...args], { cwd: ROOT });
    await tsx(['--origin', 'https://regarding.example.com/', '--out', out]);
    const xml = fs.readFileSync(out, 'utf8');
    assert.ok(!xml.includes('localhost'), 'no localhost URL is left');
    assert.match(xml, /https:\/\/regarding\.example\.com\/taskpane\.html\?view=regarding/);
    validate(out);
    const refused = await tsx(['--origin', 'http://regarding.example.com']).catch((e) => e);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /HTTPS only/);
  });
});
