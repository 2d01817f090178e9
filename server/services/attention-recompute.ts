import { setImmediate as nextTurn } from 'node:timers/promises';
import { WritesUnavailableError } from '../errors';
import type { ServiceContext } from './context';

/**
 * Due-time rows per transaction: the first batch's, then sized so a batch takes about TARGET_MS of the event loop
 * (a row costs from a few µs, a switched rule, to 100 µs and more, a threshold counted in business days on a
 * loaded machine), at most doubling from one batch to the next.
 */
export const FIRST_BATCH_ROWS = 250;
const MIN_BATCH_ROWS = 200;
export const MAX_BATCH_ROWS = 5000;
const TARGET_MS = 40;
const RETRY_MS = 1000;
const FAILED_RETRY_MS = 60_000;

/**
 * Runs the needs-attention recompute a rules change (or a big owner's zone change) queues (migration 023): a
 * batch per transaction, yielding to the event loop between batches, so requests are answered all along. The
 * change's own request waits for the first batch (a firm of a few thousand open opportunities sees its new rules
 * at once); the rest goes on in the background. A batch that found the write lock held elsewhere is retried; a
 * server stopped half-way resumes when it starts (`resume`).
 */
export class AttentionRecompute {
  private running = false;
  private rows = FIRST_BATCH_ROWS;
  /** Asked again while running: one more pass after the loop ends (whatever a change queued meanwhile). */
  private again = false;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** After a change that may have queued a recompute. */
  async afterChange(): Promise<void> {
    try {
      if (await this.batch()) this.resume();
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
          while (await this.batch());
        } while (this.again);
      } catch (error) {
        this.failed(error);
      } finally {
        this.running = false;
      }
    })();
  }

  /** Runs whatever is pending to the end, batch after batch (the admin CLI, before it closes the database). */
  async drain(): Promise<void> {
    while (await this.batch()) await nextTurn();
  }

  private async batch(): Promise<boolean> {
    const started = performance.now();
    const more = await this.ctx.repo.work.recomputeAttentionBatch(this.rows);
    const took = Math.max(performance.now() - started, 1);
    this.rows = Math.round(
      Math.min(MAX_BATCH_ROWS, this.rows * 2, Math.max(MIN_BATCH_ROWS, (this.rows * TARGET_MS) / took)),
    );
    return more;
  }

  /**
   * Reported and retried: soon when the write lock was held elsewhere, later after any other failure (a full disk
   * may be freed), so due times never stay half recomputed until the next change or start-up. Not once the
   * database is closed (the server is stopping).
   */
  private failed(error: unknown): void {
    this.onError(error);
    if (!this.ctx.repo.isOpen()) return;
    setTimeout(() => this.resume(), error instanceof WritesUnavailableError ? RETRY_MS : FAILED_RETRY_MS).unref();
  }
}
