/** `npm start`: the one process that serves the API and the add-in over HTTPS. */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { alertContext, alertOrigin, startAlertScheduler } from './alerts/scheduler/scheduler';
import { createApp } from './app';
import { systemClock } from './clock';
import { loadConfig } from './config';
import { openStorage } from './db/storage';
import { seedDemoData } from './demo/seed';
import { demoSignInFile, writeDemoSignIns } from './demo/sign-ins';
import { createAppServer } from './http/app-server';
import { loadOrCreateCertificate } from './tls/certificate';

async function main(): Promise<void> {
  // `npm start` passes --demo: demo data is on there unless DEMO_DATA says otherwise, and off everywhere else.
  const demoByDefault = process.argv.includes('--demo') && process.env.DEMO_DATA === undefined;
  const config = loadConfig(demoByDefault ? { ...process.env, DEMO_DATA: 'on' } : process.env);
  const logger = pino({ level: config.logLevel });
  const storage = await openStorage(config, 'service', process.stderr);
  const { repo, applied } = storage;
  if (applied.length) logger.info({ migrations: applied.map((m) => `${m.version}_${m.name}`) }, 'database migrated');
  // Files of this instance alone (its certificate, the demo sign-ins) sit in DATABASE_FILE's folder on PostgreSQL too.
  const dataDir = path.dirname(config.databaseFile);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const signInFile = demoSignInFile(config.databaseFile);

  let createdSignIns = '';
  if (config.demoData && (await repo.advisors.count()) === 0) {
    // The database keeps only token hashes: the tokens themselves are kept once, here, for the demo page's
    // sign-in buttons (GET /demo/sign-ins); they are printed this once, when they are created.
    writeDemoSignIns(signInFile, await seedDemoData(repo, systemClock.now()));
    createdSignIns = fs.readFileSync(signInFile, 'utf8');
    logger.info('demo data created');
  }

  const app = createApp({ config, repo, clock: systemClock, logger });
  // A client that sends its headers or body too slowly, or holds an idle connection, is cut off, so a
  // few sockets cannot hold the server's connections. Node checks the first two on an interval:
  // checked often enough that the configured limit is what a client meets.
  const { headersMs, requestMs, keepAliveMs } = config.timeouts;
  const serverOptions: http.ServerOptions = {
    headersTimeout: headersMs,
    requestTimeout: requestMs,
    keepAliveTimeout: keepAliveMs,
    connectionsCheckingInterval: Math.min(1000, Math.ceil(headersMs / 4)),
  };
  let server: http.Server;
  let tlsNote = '';
  if (config.tls.enabled) {
    const tls = await loadOrCreateCertificate({
      certFile: config.tls.certFile,
      keyFile: config.tls.keyFile,
      dir: path.join(dataDir, 'tls'),
    });
    if (tls.generatedAt)
      tlsNote = `Generated a self-signed certificate for localhost: ${tls.generatedAt} (trust it once in your browser or OS).`;
    else if (!config.tls.certFile)
      tlsNote = `Using the self-signed localhost certificate in ${path.join(dataDir, 'tls')}.`;
    server = createAppServer(app, serverOptions, { cert: tls.cert, key: tls.key });
  } else {
    server = createAppServer(app, serverOptions);
  }

  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const { port } = server.address() as AddressInfo;
  const origin = config.publicOrigin ?? `${config.tls.enabled ? 'https' : 'http'}://localhost:${port}`;
  const banner = [
    '',
    `Regarding is running at ${origin}`,
    `  Add-in manifest to sideload in Outlook: ${origin}/manifest.xml`,
    `  Demo page (no Office tenant needed):      ${origin}/demo.html`,
    `  API description:                         ${origin}/api/v1/openapi.json`,
    `  Database: ${storage.where}`,
  ];
  // Behind PUBLIC_ORIGIN (a proxy's address) the port this process listens on is not in the lines above.
  if (config.publicOrigin)
    banner.push(`  Listening on ${config.tls.enabled ? 'https' : 'http'}://${config.host}:${port}`);
  if (tlsNote) banner.push(`  ${tlsNote}`);
  if (createdSignIns) banner.push('', createdSignIns.trimEnd().replace(/^/gm, '  '));
  else if (config.demoData && fs.existsSync(signInFile))
    banner.push(`  Demo sign-ins: the demo page's buttons, or the tokens in ${signInFile}`);
  process.stdout.write(`${banner.join('\n')}\n\n`);

  const upkeep = () => repo.maintain().catch((error: unknown) => logger.warn({ err: error }, 'database upkeep failed'));
  void upkeep();
  const upkeepTimer = setInterval(() => void upkeep(), 60 * 60_000);

  const alerts = alertContext({ config, repo, clock: systemClock, logger, origin: alertOrigin(config, port) });
  const scheduler = alerts ? startAlertScheduler(alerts, config.alerts.checkMinutes) : null;
  if (!scheduler) logger.info('SMTP_URL is not set: no email alerts are sent');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(upkeepTimer);
    const alertsStopped = scheduler ? scheduler.stop() : Promise.resolve();
    logger.info({ signal }, 'shutting down: finishing requests');
    const force = setTimeout(() => {
      logger.warn('requests still open after 10s; closing them');
      server.closeAllConnections();
    }, 10_000);
    force.unref();
    server.close(() => {
      void alertsStopped
        .then(() => repo.close())
        .then(
          () => {
            logger.info('stopped');
            process.exit(0);
          },
          (error: unknown) => {
            logger.error({ err: error }, 'closing the database failed');
            process.exit(1);
          },
        );
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`Regarding could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
