import { ReadsUnavailableError } from '../../errors';
import type { Db } from '../../db/connection';
import type { Repository } from '../repository';
import { SqliteActivityStore } from './activities';
import { SqliteAlertDeliveryStore } from './alert-deliveries';
import { SqliteActivityLabelStore } from './activity-labels';
import { SqliteActivityPointsStore } from './activity-points';
import { SqliteContactStore } from './contacts';
import { SqliteExceptionRuleStore } from './exception-rules';
import { SqliteNoteStore } from './notes';
import { SqliteOpportunityStore } from './opportunities';
import { SqliteAdvisorStore, SqliteTeamStore } from './people';
import { deleteEndedRateLimitWindows, SqliteRateLimitStore } from './rate-limits';
import { compactSearchIndexes, type SearchCompaction } from './search-index';
import { changeStamp } from './change-stamp';
import { dropIndexSamples } from './statistics';
import { SqliteTokenStore } from './tokens';
import { SqliteWorkStore } from './work';
import { ownerVersions } from './funnel';
import { inProcessReports, workerReports, type ReportWorkerOptions } from './report-runner';
import { setWriteWait, writesAvailable } from './writes';
import { startCheckpointer, type CheckpointerOptions } from './checkpointer';

/** How long a write waits for a lock another process holds before it is answered 503 (WRITE_WAIT_MS). */
export const DEFAULT_WRITE_WAIT_MS = 1500;

export function createSqliteRepository(
  db: Db,
  options: {
    writeWaitMs?: number;
    reportWorker?: ReportWorkerOptions;
    readWorker?: ReportWorkerOptions;
    checkpointer?: CheckpointerOptions;
    /** My Work's reads on this connection (the command line: one job, no other request to keep answering). */
    inProcessReads?: boolean;
  } = {},
): Repository {
  // Waiting for the lock happens in write(), on timers; SQLite's own wait would block the event loop.
  db.pragma('busy_timeout = 0');
  setWriteWait(db, options.writeWaitMs ?? DEFAULT_WRITE_WAIT_MS);
  // A savepoint's undo journal (a group commit run again a savepoint a change, a riding change, a nested
  // transaction) moves to a temporary file past 64 KB: from then on every page a change touches cost two write
  // calls on the event loop (measured at 1M: 35 a set regarding, when every change had its savepoint). In memory it
  // stays a copy. Only this connection, after migrations: their big sorts keep their temporary files.
  db.pragma('temp_store = MEMORY');
  // Reports are computed off the event loop, in a worker with its own connection; a database in memory has no
  // file another connection could open.
  const reports = db.memory ? inProcessReports(db) : workerReports(db.name, options.reportWorker);
  // The WAL is copied into the file by a thread of its own (checkpointer.ts), not inside a request's COMMIT.
  const checkpointer = db.memory ? null : startCheckpointer(db, options.checkpointer);
  // My Work's heavy reads (needs attention) run the same way in a worker of their own, beside the reports.
  const reads =
    db.memory || options.inProcessReads
      ? inProcessReports(db)
      : workerReports(db.name, { ...options.readWorker, unavailable: () => new ReadsUnavailableError() });
  let closing = false;
  let upkeep: Promise<unknown> = Promise.resolve();
  let compaction: SearchCompaction | null = null;
  return {
    advisors: new SqliteAdvisorStore(db),
    teams: new SqliteTeamStore(db),
    tokens: new SqliteTokenStore(db),
    contacts: new SqliteContactStore(db),
    opportunities: new SqliteOpportunityStore(db),
    notes: new SqliteNoteStore(db),
    activities: new SqliteActivityStore(db),
    work: new SqliteWorkStore(db, reports, reads),
    // Calls differing only in their moment share one computation. An owner-scoped one (me, team) is shared or reused
    // only while its owners' funnel versions are those it was asked at: a change of theirs, saved before, is read.
    funnel: {
      summary: (filter, now, percentiles) =>
        reports.run('funnelSummary', [filter, now, percentiles], {
          key: filter.ownerIds === null ? [filter] : [filter, ownerVersions(db, filter.ownerIds)],
          cache: now,
          owners: filter.ownerIds !== null,
        }),
    },
    activityLabels: new SqliteActivityLabelStore(db),
    activityPoints: new SqliteActivityPointsStore(db),
    exceptionRules: new SqliteExceptionRuleStore(db),
    alertDeliveries: new SqliteAlertDeliveryStore(db),
    rateLimitStore: (rateLimitOptions) => new SqliteRateLimitStore(db, rateLimitOptions),
    changeStamp: () => changeStamp(db),
    async ping() {
      return db.prepare('SELECT 1').pluck().get() === 1;
    },
    async writable() {
      return writesAvailable(db);
    },
    async maintain() {
      const run = upkeep
        .catch(() => undefined)
        .then(() => {
          if (db.open) deleteEndedRateLimitWindows(db, Date.now());
          if (db.open) dropIndexSamples(db);
          if (closing || !db.open) return;
          compaction = compactSearchIndexes(db);
          return compaction.done;
        });
      upkeep = run;
      await run;
    },
    isOpen: () => !closing && db.open,
    async close() {
      closing = true;
      await reports.close();
      await reads.close();
      await compaction?.stop();
      await upkeep.catch(() => undefined);
      await checkpointer?.stop();
      if (db.open) db.close();
    },
  };
}
