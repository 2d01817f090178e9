import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Repository } from '../repository/repository';
import type { WorkService } from '../services/work';
import type { Mailer } from './mailer/mailer';

/** What the alert runners need: storage, the time, the exception rules' output and a way to send. */
export interface AlertContext {
  repo: Repository;
  clock: Clock;
  work: WorkService;
  mailer: Mailer;
  /** Where links in emails point: PUBLIC_ORIGIN (required when SMTP_URL is set). */
  origin: string;
  /** The local hour from which each advisor's digest is due. */
  digestHour: number;
  logger: Logger;
}

/**
 * A claim older than this belongs to no send still under way (sends time out well before, see
 * SMTP_TIMEOUTS): the operator's send-now may take it over. Scheduled runs never do, as the email may
 * have gone out before its process died.
 */
export const ABANDONED_CLAIM_MS = 10 * 60_000;

/**
 * An untouched alert is news: only crossings within this long before a check are alerted. Older ones
 * (before alerts were switched on, or while every process was down for more than a day) are in the
 * digests instead of arriving as one backlog email.
 */
export const UNTOUCHED_ALERT_WINDOW_MS = 24 * 60 * 60_000;
