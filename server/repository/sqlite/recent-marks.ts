import type { Db } from '../../db/connection';
import { markRecent } from './activities';
import { writeIfFree } from './writes';

interface Mark {
  advisorId: number;
  opportunityId: number;
  at: string;
  done: () => void;
}

/**
 * "Recent" marks of the opportunities opened in one turn of the event loop, written in one nice-to-have transaction
 * (writeIfFree): a transaction each cost more than reading the opportunity it accompanies, and a batch writes the
 * advisor's few index pages once. Each mark settles after that commit, so an answer sent after it is followed by a
 * Recent list that has it (unless the write was skipped, as any nice-to-have write may be).
 */
export class RecentMarks {
  private pending: Mark[] = [];

  constructor(private readonly db: Db) {}

  mark(advisorId: number, opportunityId: number, at: string): Promise<void> {
    return new Promise((done) => {
      if (this.pending.push({ advisorId, opportunityId, at, done }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    // The repository may have closed in between (shutdown): the marks are dropped, as a skipped write's.
    if (this.db.open)
      writeIfFree(this.db, () => {
        for (const mark of batch) markRecent(this.db, mark.advisorId, mark.opportunityId, mark.at);
      });
    for (const mark of batch) mark.done();
  }
}
