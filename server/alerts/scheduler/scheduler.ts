import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Clock } from '../../clock';
import type { Config } from '../../config';
import type { Repository } from '../../repository/repository';
import { WorkService } from '../../services/work';
import type { AlertContext } from '../context';
import { runDigests } from '../digest/run-digests';
import { smtpMailer, type Mailer } from '../mailer/mailer';
import { runUntouchedAlerts } from '../untouched/run-untouched';

/** The origin links in emails start with: PUBLIC_ORIGIN, else the server's own https origin (as the manifest's). */
export function alertOrigin(config: Pick<Config, 'publicOrigin' | 'tls'>, port: number): string {
  return config.publicOrigin ?? `${config.tls.enabled ? 'https' : 'http'}://localhost:${port}`;
}

/** The runners' context, or null when SMTP_URL is unset (nothing is ever sent). */
export function alertContext(deps: {
  config: Config;
  repo: Repository;
  clock: Clock;
  logger: Logger;
  origin: string;
  mailer?: Mailer;
}): AlertContext | null {
  const { smtp, digestHour } = deps.config.alerts;
  if (!smtp) return null;
  return {
    repo: deps.repo,
    clock: deps.clock,
    work: new WorkService({ repo: deps.repo, clock: deps.clock }),
    mailer: deps.mailer ?? smtpMailer(smtp),
    origin: deps.origin,
    digestHour,
    logger: deps.logger,
  };
}

/** One round: untouched alerts first (their 15-minute promise), then the digests now due. */
export async function runAlerts(ctx: AlertContext): Promise<void> {
  const untouched = await runUntouchedAlerts(ctx);
  const digests = await runDigests(ctx);
  ctx.logger.info(
    {
      untouchedAlerts: untouched.filter((o) => o.status === 'sent').length,
      digestsSent: digests.filter((o) => o.status === 'sent').length,
      failed: [...untouched, ...digests].filter((o) => o.status === 'failed').length,
    },
    'alerts checked',
  );
}

/**
 * Runs a round at once (a digest missed while the server was down goes out now, the same local day)
 * and then every ALERT_CHECK_MINUTES. A round still running when the next is due is skipped.
 */
export function startAlertScheduler(ctx: AlertContext, checkMinutes: number): { stop(): Promise<void> } {
  let current: Promise<void> = Promise.resolve();
  const round = () => {
    current = runAlerts(ctx).catch((error: unknown) => ctx.logger.error({ err: error }, 'alerts round failed'));
    return current;
  };
  const job = new Cron(`*/${checkMinutes} * * * *`, { protect: true }, round);
  void job.trigger();
  return {
    /**
     * No new round; resolves when the one under way (if any) has finished, so the database closes after
     * it, or after 10 s (a hung SMTP server must not hold shutdown: a claim it leaves is taken over later).
     */
    async stop() {
      job.stop();
      await Promise.race([current, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      ctx.mailer.close();
    },
  };
}
