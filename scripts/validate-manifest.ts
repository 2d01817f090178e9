/**
 * `npm run validate [-- FILE]`: does Outlook accept the add-in manifest (default: manifest.xml)?
 *
 * 1. Microsoft's online validator, through office-addin-manifest's validateManifest (what
 *    `office-addin-manifest validate` runs), which posts the file to validationgateway.omex.office.net.
 * 2. If that service cannot be reached (no network or DNS, no answer within VALIDATE_TIMEOUT_MS,
 *    default 10000, or an HTTP error without a report), it says so and checks the file locally
 *    against Microsoft's XSD schemas with xmllint instead (scripts/manifest-xsd.ts: the schemas in
 *    ../shared/office-manifest-xsd or OFFICE_MANIFEST_XSD_DIR, as the manifest test uses them).
 *    The XSDs are from 2016/2017: they check structure and types, not what the service checks
 *    (reachable URLs, icon sizes, store policies).
 *
 * The exit status tells which check ran and what it found:
 *   0  Microsoft's online validation passed
 *   1  the manifest is invalid (rejected online, unreadable, or failing the local XSD check)
 *   2  online validation could not run; the local XSD check passed
 *   3  neither could run (online unavailable, and no schemas or no xmllint here)
 */
import path from 'node:path';
import { OfficeAddinManifest, validateManifest, type ManifestValidation } from 'office-addin-manifest';
import { checkAgainstXsd, ROOT } from './manifest-xsd';

const EXIT = { onlinePassed: 0, invalid: 1, localPassed: 2, notValidated: 3 } as const;
const DEFAULT_TIMEOUT_MS = 10_000;

type Online = { kind: 'answered'; validation: ManifestValidation } | { kind: 'unavailable'; reason: string };

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function validateOnline(file: string, timeoutMs: number): Promise<Online> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Online>((resolve) => {
    timer = setTimeout(
      () => resolve({ kind: 'unavailable', reason: `no answer within ${timeoutMs} ms (VALIDATE_TIMEOUT_MS)` }),
      timeoutMs,
    );
  });
  const online = validateManifest(file).then(
    (validation): Online =>
      validation.report
        ? { kind: 'answered', validation }
        : {
            kind: 'unavailable',
            reason: `the service answered HTTP ${validation.status ?? '?'} ${validation.statusText ?? ''} without a report`,
          },
    (error: unknown): Online => {
      const message = messageOf(error);
      if (/Unable to contact the manifest validation service/.test(message))
        return { kind: 'unavailable', reason: message.replace(/\s+/g, ' ') };
      throw error;
    },
  );
  try {
    return await Promise.race([online, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function printReport(validation: ManifestValidation): void {
  const report = validation.report!;
  for (const [label, issues] of [
    ['Error', report.errors],
    ['Warning', report.warnings],
    ['Note', report.notes],
  ] as const) {
    for (const issue of issues ?? []) {
      const where = issue.line ? ` (line ${issue.line}${issue.column ? `, column ${issue.column}` : ''})` : '';
      console.log(`  ${label}: ${issue.title ?? ''}${where}: ${issue.content ?? ''}`);
    }
  }
}

async function main(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const file = path.resolve(args[0] ?? path.join(ROOT, 'manifest.xml'));
  const timeoutMs = Number(env.VALIDATE_TIMEOUT_MS ?? DEFAULT_TIMEOUT_MS);
  try {
    // Reads the file the way office-addin-debugging and the validator do; a file it cannot parse is invalid.
    await OfficeAddinManifest.readManifestFile(file);
  } catch (error) {
    console.error(`${file} is not a readable add-in manifest: ${messageOf(error)}`);
    return EXIT.invalid;
  }

  console.log(`Validating ${file} with Microsoft's online manifest validator…`);
  let online: Online;
  try {
    online = await validateOnline(file, timeoutMs);
  } catch (error) {
    console.error(`The online validator could not read ${file}: ${messageOf(error)}`);
    return EXIT.invalid;
  }
  if (online.kind === 'answered') {
    printReport(online.validation);
    if (online.validation.isValid) {
      console.log('Online validation passed: Microsoft accepts this manifest.');
      return EXIT.onlinePassed;
    }
    console.error(`Online validation failed: Microsoft rejects this manifest (${online.validation.report?.status}).`);
    return EXIT.invalid;
  }

  console.log(`The online validation could not run: ${online.reason}.`);
  console.log("Checking the manifest locally against Microsoft's XSD schemas instead (xmllint)…");
  const local = checkAgainstXsd(file);
  switch (local.status) {
    case 'valid':
      console.log(
        `Local XSD check passed (${local.schema}). Exit status 2: online validation did not run; run npm run validate again with network access for Microsoft's full check.`,
      );
      return EXIT.localPassed;
    case 'invalid':
      console.error(`Local XSD check failed: ${file} does not validate against Microsoft's schema:\n${local.details}`);
      return EXIT.invalid;
    case 'unavailable':
      console.error(`The local XSD check could not run either.\n${local.reason}`);
      return EXIT.notValidated;
  }
}

// process.exit, not exitCode: a request to an unreachable service may still be pending.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(EXIT.invalid);
  },
);
