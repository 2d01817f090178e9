/** A "Recent" mark: the advisor used the opportunity at `at`; `done` settles the caller's promise. */
export interface RecentMark {
  advisorId: number;
  opportunityId: number;
  at: string;
  done: () => void;
}

/**
 * "Recent" marks of the opportunities opened in one turn of the event loop, handed together to `write` (each backend
 * writes a batch its own way, nice to have: a failure or a skipped write drops the marks and fails nothing). Each mark
 * settles once its batch is written (when `write` returns, or its promise settles), so an answer sent after it is
 * followed by a Recent list that has it (unless the write was dropped).
 */
export class RecentMarkBatches {
  private pending: RecentMark[] = [];

  /** `write` never throws nor rejects. */
  constructor(private readonly write: (batch: RecentMark[]) => void | Promise<void>) {}

  mark(advisorId: number, opportunityId: number, at: string): Promise<void> {
    return new Promise((done) => {
      if (this.pending.push({ advisorId, opportunityId, at, done }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    const settle = () => {
      for (const mark of batch) mark.done();
    };
    const written = this.write(batch);
    if (written) void written.then(settle);
    else settle();
  }
}
