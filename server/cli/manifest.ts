/** `npm run manifest -- --origin https://host [--out FILE]`: manifest.xml for a deployment's origin. */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { manifestFor } from '../manifest';

const program = new Command('manifest')
  .description('Write the Outlook add-in manifest with every URL pointing at your server.')
  .requiredOption('--origin <url>', 'the HTTPS origin that serves Regarding, e.g. https://regarding.example.com')
  .option('--out <file>', 'where to write it', 'dist/manifest.xml')
  .action((options: { origin: string; out: string }) => {
    try {
      const xml = manifestFor(options.origin);
      const out = path.resolve(options.out);
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, xml);
      console.log(
        `Wrote ${out} for ${new URL(options.origin).origin}. Sideload it in Outlook or deploy it through the Microsoft 365 admin center.`,
      );
    } catch (error) {
      program.error(error instanceof Error ? error.message : String(error));
    }
  });

program.parse();
