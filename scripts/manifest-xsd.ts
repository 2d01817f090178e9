/**
 * The local check of an add-in manifest against Microsoft's XSD schemas, with xmllint: used by
 * `npm run validate` (when Microsoft's online validator cannot be reached) and by the manifest test.
 *
 * Microsoft publishes the XML manifest schemas only in the [MS-OWEMXML] open specification; no npm
 * package ships them. This project keeps copies beside the repository, in ../shared/office-manifest-xsd
 * (its README.md records where each file comes from); OFFICE_MANIFEST_XSD_DIR points elsewhere.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');
const SCHEMA_FILE = 'OfficeAppManifestV1_1.xsd';
/** MS-OWEMXML, "5 Appendix A: Full XML Schema". */
const SPECIFICATION =
  'https://learn.microsoft.com/en-us/openspecs/office_file_formats/ms-owemxml/c6a06390-34b8-4b42-82eb-b28be12494a8';

/** Where the schemas are looked for: OFFICE_MANIFEST_XSD_DIR, else ../shared/office-manifest-xsd beside the repository. */
export function xsdDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.OFFICE_MANIFEST_XSD_DIR
    ? path.resolve(env.OFFICE_MANIFEST_XSD_DIR)
    : path.resolve(ROOT, '../shared/office-manifest-xsd');
}

/** What to tell someone whose machine lacks the schemas: what they are, where they come from, where to put them. */
export function missingSchemasMessage(dir: string): string {
  return [
    `Microsoft's Office add-in manifest schemas are not in ${dir} (${SCHEMA_FILE} is missing).`,
    `Microsoft publishes them only in the [MS-OWEMXML] open specification, Appendix A "Full XML Schema" (${SPECIFICATION}); no npm package ships them.`,
    `This project expects the copies kept beside the repository in ../shared/office-manifest-xsd (its README.md says which OfficeDev sample repositories each file comes from, and the one-line libxml2 patch two of them need):`,
    `put the five .xsd files there, or set OFFICE_MANIFEST_XSD_DIR to a folder that holds them.`,
  ].join('\n');
}

export type XsdCheck =
  | { status: 'valid'; schema: string }
  | { status: 'invalid'; schema: string; details: string }
  | { status: 'unavailable'; reason: string };

const MAIL_1_1 = 'MailAppVersionOverridesV1_1.xsd';
const DESKTOP_FORM_FACTOR = '<xs:element name="DesktopFormFactor" type="FormFactor" minOccurs="0" maxOccurs="1">';

/**
 * The kept Mail 1.1 schema is from 2017 and predates `SupportsSharedFolders` (Mailbox 1.8). Microsoft documents it
 * as an optional boolean, first child of DesktopFormFactor, valid only in Mail 1.1 and in no other form factor
 * (office-js-docs-pr docs/reference/manifest/supportssharedfolders.md; docs/outlook/delegate-access.md: "At present,
 * other form factors aren't supported"). This adds exactly that to a copy of the schemas, so the element is checked
 * where it may appear and refused anywhere else; a newer schema that declares it is used as it is.
 */
export function withSupportsSharedFolders(dir: string): string {
  if (!fs.existsSync(path.join(dir, MAIL_1_1))) return dir;
  const mail11 = fs.readFileSync(path.join(dir, MAIL_1_1), 'utf8');
  if (mail11.includes('name="SupportsSharedFolders"') || !mail11.includes(DESKTOP_FORM_FACTOR)) return dir;
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-xsd-'));
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.xsd')))
    fs.copyFileSync(path.join(dir, name), path.join(copy, name));
  const desktop = `
  <xs:complexType name="DesktopFormFactor">
    <xs:sequence>
      <xs:element name="SupportsSharedFolders" type="xs:boolean" minOccurs="0" maxOccurs="1" />
      <xs:element name="FunctionFile" type="bt:URLResourceReference" minOccurs="0" maxOccurs="1" />
      <xs:element name="ExtensionPoint" type="ExtensionPoint" minOccurs="1" maxOccurs="unbounded" />
    </xs:sequence>
  </xs:complexType>
`;
  const patched = mail11
    .replace(DESKTOP_FORM_FACTOR, DESKTOP_FORM_FACTOR.replace('type="FormFactor"', 'type="DesktopFormFactor"'))
    .replace('  <xs:complexType name="FormFactor">', `${desktop}\n  <xs:complexType name="FormFactor">`);
  fs.writeFileSync(path.join(copy, MAIL_1_1), patched);
  return copy;
}

/** Validates `file` against OfficeAppManifestV1_1.xsd (which imports the other four) with `xmllint --schema`. */
export function checkAgainstXsd(file: string, dir: string = xsdDir()): XsdCheck {
  if (!fs.existsSync(path.join(dir, SCHEMA_FILE))) return { status: 'unavailable', reason: missingSchemasMessage(dir) };
  const schema = path.join(dir, SCHEMA_FILE);
  const patchedDir = withSupportsSharedFolders(dir);
  try {
    execFileSync('xmllint', ['--noout', '--schema', path.join(patchedDir, SCHEMA_FILE), file], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return { status: 'valid', schema };
  } catch (error) {
    const e = error as { code?: string; status?: number; stderr?: string; message: string };
    if (e.code === 'ENOENT')
      return {
        status: 'unavailable',
        reason: 'xmllint is not installed (Debian/Ubuntu: apt-get install libxml2-utils; macOS has it).',
      };
    // xmllint exits 5 when the schema itself does not compile: that says nothing about the manifest.
    if (e.status === 5) return { status: 'unavailable', reason: `${schema} does not compile:\n${e.stderr ?? ''}` };
    return { status: 'invalid', schema, details: (e.stderr ?? e.message).trim() };
  } finally {
    if (patchedDir !== dir) fs.rmSync(patchedDir, { recursive: true, force: true });
  }
}
