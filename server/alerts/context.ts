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
  /** Where links in emails point: PUBLIC_ORIGIN, else the server's own https origin. */
  origin: string;
  /** The local hour from which each advisor's digest is due. */
  digestHour: number;
  logger: Logger;
}

/** A claim older than this belongs to a process that died between claiming and sending: it is taken over. */
export const ABANDONED_CLAIM_MS = 10 * 60_000;

/**
 * An untouched alert is news: only crossings within this long before a check are alerted. Older ones
 * (before alerts were switched on, or while every process was down for more than a day) are in the
 * digests instead of arriving as one backlog email.
 */
export const UNTOUCHED_ALERT_WINDOW_MS = 24 * 60 * 60_000;
