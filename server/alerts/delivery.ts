import type { AlertContext } from './context';

/** How often recording an outcome is tried, and the wait between tries (each also waits for the write lock). */
export const RECORD_ATTEMPTS = 4;
export const RECORD_RETRY_MS = 1000;

async function withRetries(change: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await change();
    } catch (error) {
      if (attempt >= RECORD_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, RECORD_RETRY_MS));
    }
  }
}

/**
 * Sends on claims just taken and records the outcome. Only a failed send gives the claims up (the next
 * run tries again). Once the SMTP server has accepted the email the claims are never given up: if
 * recording 'sent' still fails after the retries, the claims stay, and a claim left behind is never
 * taken over by a scheduled run, so the email is not sent twice. Throws when the send failed.
 */
export async function sendOnClaims(ctx: AlertContext, ids: number[], send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (error) {
    await withRetries(() => ctx.repo.alertDeliveries.release(ids)).catch((releaseError: unknown) =>
      ctx.logger.error({ err: releaseError, ids }, 'alert not sent, and its claim could not be given up'),
    );
    throw error;
  }
  await withRetries(() => ctx.repo.alertDeliveries.finish(ids, 'sent', ctx.clock.now().toISOString())).catch(
    (error: unknown) => ctx.logger.error({ err: error, ids }, 'alert sent but not recorded; its claim stays'),
  );
}

/** Records claims on which there was nothing to send; if that cannot be recorded, gives them up. */
export async function skipClaims(ctx: AlertContext, ids: number[]): Promise<void> {
  try {
    await withRetries(() => ctx.repo.alertDeliveries.finish(ids, 'skipped', ctx.clock.now().toISOString()));
  } catch (error) {
    await withRetries(() => ctx.repo.alertDeliveries.release(ids)).catch(() => undefined);
    throw error;
  }
}
