import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ServiceContext } from './context';

/** Due-time rows per transaction: a few milliseconds of the event loop each (about 4 ms per 1,000 rows at 100k). */
export const RECOMPUTE_BATCH_ROWS = 4000;
const RETRY_MS = 1000;

/**
 * Runs the needs-attention recompute a rules change (or a big owner's zone change) queues (migration 023): a
 * batch per transaction, yielding to the event loop between batches, so requests are answered all along. The
 * change's own request waits for the first batch (a firm of a few thousand open opportunities sees its new rules
 * at once); the rest goes on in the background. A failed batch (the write lock held elsewhere) is retried; a
 * server stopped half-way resumes when it starts (`resume`).
 */
export class AttentionRecompute {
  private running = false;
  /** Asked again while running: one more pass after the loop ends (whatever a change queued meanwhile). */
  private again = false;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** After a change that may have queued a recompute. */
  async afterChange(): Promise<void> {
    try {
      if (await this.ctx.repo.work.recomputeAttentionBatch(RECOMPUTE_BATCH_ROWS)) this.resume();
    } catch (error) {
      this.failed(error);
    }
  }

  /** Goes on with whatever is pending, in the background (at start-up, and after the first batch). */
  resume(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void (async () => {
      try {
        do {
          this.again = false;
          do await nextTurn();
          while (await this.ctx.repo.work.recomputeAttentionBatch(RECOMPUTE_BATCH_ROWS));
        } while (this.again);
      } catch (error) {
        this.failed(error);
      } finally {
        this.running = false;
      }
    })();
  }

  private failed(error: unknown): void {
    this.onError(error);
    setTimeout(() => this.resume(), RETRY_MS).unref();
  }
}
