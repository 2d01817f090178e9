import type { Db } from '../../db/connection';
import { RecentMarkBatches } from '../rows/recent-mark-batches';
import { markRecent } from './activities';
import { writeIfFree } from './writes';

/**
 * "Recent" marks of the opportunities opened in one turn of the event loop, written in one nice-to-have transaction
 * (writeIfFree): a transaction each cost more than reading the opportunity it accompanies, and a batch writes the
 * advisor's few index pages once. Each mark settles after that commit, so an answer sent after it is followed by a
 * Recent list that has it (unless the write was skipped, as any nice-to-have write may be).
 */
export class RecentMarks extends RecentMarkBatches {
  constructor(db: Db) {
    super((batch) => {
      // The repository may have closed in between (shutdown): the marks are dropped, as a skipped write's.
      if (db.open)
        writeIfFree(db, () => {
          for (const mark of batch) markRecent(db, mark.advisorId, mark.opportunityId, mark.at);
        });
    });
  }
}
