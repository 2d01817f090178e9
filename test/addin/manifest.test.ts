import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { OfficeAddinManifest } from 'office-addin-manifest';
import { checkAgainstXsd } from '../../scripts/manifest-xsd';
import { startTestServer } from '../helpers/test-server';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MANIFEST = path.join(ROOT, 'manifest.xml');
/** The origin manifest.xml is written for (server/manifest.ts rewrites it for others). */
const REPO_ORIGIN = 'https://localhost:3000';
const run = promisify(execFile);

/**
 * Validates against Microsoft's manifest schemas with xmllint (scripts/manifest-xsd.ts, shared with
 * `npm run validate`): the copies in ../shared/office-manifest-xsd beside the repository (see its
 * README for where they come from), or OFFICE_MANIFEST_XSD_DIR. Missing schemas fail the test, saying so.
 */
function validate(file: string): void {
  const result = checkAgainstXsd(file);
  if (result.status === 'unavailable') throw new Error(result.reason);
  if (result.status === 'invalid')
    throw new Error(`${file} does not validate against Microsoft's schema:\n${result.details}`);
}

/** Attribute values selected by an XPath, using xmllint (namespaces matched by local name). */
function attributes(xpath: string, file = MANIFEST): string[] {
  const out = execFileSync('xmllint', ['--xpath', xpath, file], { encoding: 'utf8' });
  return [...out.matchAll(/\w+="([^"]*)"/g)].map((m) => m[1]);
}

/** An XPath expression's value as a string (xmllint; a count or string() never fails on an empty set). */
const xpathString = (xpath: string, file = MANIFEST) =>
  execFileSync('xmllint', ['--xpath', xpath, file], { encoding: 'utf8' }).trim();

const el = (name: string) => `*[local-name()='${name}']`;
const SCOPES = {
  'VersionOverrides 1.0': `/${el('OfficeApp')}/${el('VersionOverrides')}`,
  'VersionOverrides 1.1': `/${el('OfficeApp')}/${el('VersionOverrides')}/${el('VersionOverrides')}`,
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every URL in a manifest, in document order (comments and namespace declarations aside). */
/** Microsoft sign-in's hosts, where the Office dialog navigates when nested app authentication is missing. */
const SIGN_IN_DOMAINS = ['https://login.microsoftonline.com', 'https://login.microsoft.com'];

function urlsIn(file: string): string[] {
  const xml = fs
    .readFileSync(file, 'utf8')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/\sxmlns(:\w+)?="[^"]*"/g, '');
  return [...xml.matchAll(/[a-z][\w+.-]*:\/\/[^"'<>\s]+/gi)].map((m) => m[0]);
}

/**
 * What Outlook parses from `file`, read as office-addin-manifest reads it (office-addin-debugging and
 * Microsoft's validator use the same reader), plus what that reader does not expose (requirement sets,
 * every URL), by XPath. Returns the manifest's URLs.
 */
async function assertOutlookReads(file: string, origin: string): Promise<string[]> {
  const info = await OfficeAddinManifest.readManifestFile(file);
  assert.match(info.id ?? '', GUID, 'Id is a GUID');
  assert.match(info.version ?? '', /^\d{1,5}(\.\d{1,5}){0,3}$/, 'Version is up to four dot-separated numbers');
  assert.equal(info.manifestType, 'xml');
  assert.equal(info.officeAppType, 'MailApp');
  assert.deepEqual(info.hosts, ['Mailbox']);
  assert.equal(info.permissions, 'ReadWriteItem');
  assert.equal(info.displayName, 'Regarding');
  assert.equal(info.providerName, 'Regarding');
  assert.equal(info.defaultLocale, 'en-US');
  // office-addin-manifest reports only the first AppDomain of the list; the file holds the sign-in hosts too.
  assert.deepEqual(info.appDomains, [origin]);
  const domains = [...fs.readFileSync(file, 'utf8').matchAll(/<AppDomain>([^<]+)<\/AppDomain>/g)].map((m) => m[1]);
  assert.deepEqual(domains, [origin, ...SIGN_IN_DOMAINS]);
  for (const [name, url] of Object.entries({
    IconUrl: info.iconUrl,
    HighResolutionIconUrl: info.highResolutionIconUrl,
    SupportUrl: info.supportUrl,
  }))
    assert.ok(url?.startsWith(`${origin}/`), `${name} ${url} is under ${origin}`);

  // Requirement sets: Mailbox 1.8 (README: "The manifest requires Mailbox 1.8"), also in both VersionOverrides.
  const sets = `${el('Requirements')}/${el('Sets')}`;
  assert.deepEqual(attributes(`/${el('OfficeApp')}/${sets}/${el('Set')}/@*`, file), ['Mailbox', '1.8']);
  for (const [scope, root] of Object.entries(SCOPES)) {
    assert.deepEqual(attributes(`${root}/${sets}/@DefaultMinVersion`, file), ['1.8'], scope);
    assert.deepEqual(attributes(`${root}/${sets}/${el('Set')}/@Name`, file), ['Mailbox'], scope);
  }

  // Every URL Outlook loads or links to (form and button SourceLocations, icons, SupportUrl, the
  // function file, AppDomain) is on the configured origin.
  const urls = urlsIn(file);
  assert.ok(urls.length >= 29, `${urls.length} URLs`);
  const elsewhere = urls.filter(
    (url) => url !== origin && !url.startsWith(`${origin}/`) && !SIGN_IN_DOMAINS.includes(url),
  );
  assert.deepEqual(elsewhere, [], `every URL is under ${origin}`);
  const forms = attributes(`/${el('OfficeApp')}/${el('FormSettings')}//${el('SourceLocation')}/@DefaultValue`, file);
  assert.deepEqual(forms, [`${origin}/taskpane.html`, `${origin}/taskpane.html`]);
  for (const root of Object.values(SCOPES)) {
    const resources = attributes(`${root}/${el('Resources')}//@DefaultValue`, file).filter((v) => v.includes('://'));
    assert.ok(resources.length > 0);
    for (const url of resources) assert.ok(url.startsWith(`${origin}/`), url);
  }
  return urls;
}

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

  it('puts Set Regarding and New Opportunity on the read, compose, organizer and attendee surfaces', () => {
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
    assert.match(xml, /MobileMessageReadCommandSurface/);
  });

  it('issue 12 point 12: pins only the message read pane, never an appointment surface (pinnable-taskpane.md)', () => {
    const pinned = (surface: string) =>
      `${SCOPES['VersionOverrides 1.1']}//${el('ExtensionPoint')}[@*[local-name()='type']='${surface}']//${el('Control')}[.//${el('SupportsPinning')}='true']`;
    assert.deepEqual(attributes(`${pinned('MessageReadCommandSurface')}/@id`), [
      'Regarding.Read.SetRegarding',
      'Regarding.Read.NewOpportunity',
    ]);
    for (const surface of [
      'MessageComposeCommandSurface',
      'AppointmentOrganizerCommandSurface',
      'AppointmentAttendeeCommandSurface',
      'MobileMessageReadCommandSurface',
    ])
      assert.equal(xpathString(`count(${pinned(surface)})`), '0', surface);
    // Every SupportsPinning in the file is one of the two above (VersionOverrides 1.0 cannot carry it).
    assert.equal(fs.readFileSync(MANIFEST, 'utf8').match(/<SupportsPinning>/g)?.length, 2);
  });

  it('issue 12 point 15: offers the pane in shared folders and shared mailboxes (SupportsSharedFolders under DesktopFormFactor, Mail 1.1)', () => {
    const shared = (root: string, formFactor: string) =>
      xpathString(`string(${root}//${el(formFactor)}/${el('SupportsSharedFolders')})`);
    assert.equal(shared(SCOPES['VersionOverrides 1.1'], 'DesktopFormFactor'), 'true');
    assert.equal(shared(SCOPES['VersionOverrides 1.1'], 'MobileFormFactor'), '');
    assert.equal(fs.readFileSync(MANIFEST, 'utf8').match(/<SupportsSharedFolders>/g)?.length, 1);
  });

  it('issue 12 point 15: the schema check accepts SupportsSharedFolders only where Microsoft documents it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-shared-folders-'));
    try {
      const xml = fs.readFileSync(MANIFEST, 'utf8');
      const element = '<SupportsSharedFolders>true</SupportsSharedFolders>';
      const variants = {
        // in VersionOverrides 1.0 (Mail 1.0 does not know it)
        'Mail 1.0': xml.replace('<DesktopFormFactor>', `<DesktopFormFactor>${element}`),
        MobileFormFactor: xml.replace('<MobileFormFactor>', `<MobileFormFactor>${element}`),
        'after FunctionFile': xml
          .replace(element, '')
          .replace(
            '<FunctionFile resid="Commands.Url"/>\n            <!--',
            `<FunctionFile resid="Commands.Url"/>${element}\n            <!--`,
          ),
        'not a boolean': xml.replace(element, '<SupportsSharedFolders>yes</SupportsSharedFolders>'),
      };
      for (const [name, variant] of Object.entries(variants)) {
        assert.notEqual(variant, xml, name);
        const file = path.join(dir, `${name.replace(/\W+/g, '-')}.xml`);
        fs.writeFileSync(file, variant);
        assert.equal(checkAgainstXsd(file).status, 'invalid', name);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
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

describe('manifest.xml as Outlook reads it (office-addin-manifest)', () => {
  const repoUrls: string[] = [];
  let repo: Awaited<ReturnType<typeof OfficeAddinManifest.readManifestFile>>;

  before(async () => {
    repo = await OfficeAddinManifest.readManifestFile(MANIFEST);
  });

  /** A manifest rewritten for `origin` is the same add-in: same id and version, the same URLs on the new origin. */
  async function assertSameAddinAt(file: string, origin: string) {
    const urls = await assertOutlookReads(file, origin);
    const info = await OfficeAddinManifest.readManifestFile(file);
    assert.equal(info.id, repo.id);
    assert.equal(info.version, repo.version);
    assert.deepEqual(
      urls,
      repoUrls.map((url) => url.replace(REPO_ORIGIN, origin)),
    );
    validate(file);
  }

  it(`in the repository: a GUID id, a version, host Mailbox, Mailbox 1.8, and every URL under ${REPO_ORIGIN}`, async () => {
    repoUrls.push(...(await assertOutlookReads(MANIFEST, REPO_ORIGIN)));
    assert.equal(
      repo.id,
      '6f1d2a3e-8b7c-4c1e-9a51-2f0d7b9e4c10',
      'the id never changes: Outlook knows the add-in by it',
    );
  });

  it('served at /manifest.xml with PUBLIC_ORIGIN: the same add-in with every URL under that origin, schema-valid', async () => {
    const origin = 'https://regarding.example.com';
    // The server serves the manifest beside the built pane (app.ts mounts both only when ADDIN_DIR exists).
    const addinDir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-addin-'));
    const server = await startTestServer({ PUBLIC_ORIGIN: `${origin}/` }, { addinDir });
    try {
      const response = await fetch(`${server.url}/manifest.xml`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^application\/xml/);
      const file = path.join(server.dir, 'served-manifest.xml');
      fs.writeFileSync(file, await response.text());
      await assertSameAddinAt(file, origin);
    } finally {
      await server.close();
      fs.rmSync(addinDir, { recursive: true, force: true });
    }
  });

  it('finding 11: served without PUBLIC_ORIGIN: under localhost and the port the server listens on, whatever Host the request names', async () => {
    const addinDir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-addin-'));
    const server = await startTestServer({ TLS: 'off' }, { addinDir });
    try {
      const port = new URL(server.url).port;
      const xml = await new Promise<string>((resolve, reject) => {
        http
          .get(`${server.url}/manifest.xml`, { headers: { host: 'attacker.example' } }, (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString()));
            response.on('end', () => resolve(body));
          })
          .on('error', reject);
      });
      assert.doesNotMatch(xml, /attacker\.example/);
      assert.match(xml, new RegExp(`<SourceLocation DefaultValue="https://localhost:${port}/`));
    } finally {
      await server.close();
      fs.rmSync(addinDir, { recursive: true, force: true });
    }
  });

  it('written by `npm run manifest -- --origin` (an origin with a port): the same add-in under that origin, schema-valid', async () => {
    const origin = 'https://crm.example.org:8443';
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-manifest-')), 'manifest.xml');
    try {
      await run(
        process.execPath,
        [
          '--import',
          'tsx',
          path.join(ROOT, 'server/cli/manifest.ts'),
          '--origin',
          `${origin}/taskpane.html`,
          '--out',
          out,
        ],
        { cwd: ROOT },
      );
      await assertSameAddinAt(out, origin);
    } finally {
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
    }
  });
});
