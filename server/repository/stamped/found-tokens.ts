import type { AdvisorRecord, ChangeStamp, TokenRecord } from '../repository';

export type FoundToken = TokenRecord & { advisor: AdvisorRecord };

/** Tokens remembered at most (all are dropped when full): each is one signed-in client's current token. */
const FOUND_MAX_ENTRIES = 10_000;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Tokens found, with their advisor, by hash: one is reused while the change stamp it was read at holds (see
 * Repository.changeStamp), so a revocation, a deactivation or a role or team change is read as the backend's stamp
 * promises.
 */
export class FoundTokens {
  private readonly found = new Map<string, { stamp: ChangeStamp; record: FoundToken }>();

  async find(
    tokenHash: string,
    stamp: ChangeStamp,
    read: (tokenHash: string) => FoundToken | null | Promise<FoundToken | null>,
  ): Promise<FoundToken | null> {
    const known = this.found.get(tokenHash);
    if (known?.stamp === stamp) return known.record;
    const record = await read(tokenHash);
    if (!record) {
      this.found.delete(tokenHash);
      return null;
    }
    if (this.found.size >= FOUND_MAX_ENTRIES) this.found.clear();
    // Frozen to the last team: it is who the next requests are, so nothing may change it in place.
    const frozen = deepFreeze(record);
    this.found.set(tokenHash, { stamp, record: frozen });
    return frozen;
  }

  /** The token's last use, written: its record kept here says so too (nothing else about it changed). */
  touched(id: number, lastUsedAt: string): void {
    for (const [tokenHash, { stamp, record }] of this.found)
      if (record.id === id) this.found.set(tokenHash, { stamp, record: Object.freeze({ ...record, lastUsedAt }) });
  }
}
