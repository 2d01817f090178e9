import type { Repository } from '../../server/repository/repository';

type StoreName = Exclude<keyof Repository, 'ping' | 'writable' | 'maintain' | 'close'>;

export interface Pause {
  /** Resolves when the paused call has arrived (the request has done its checks and is about to write). */
  reached: Promise<void>;
  /** Lets the paused call go on, against the real database as it is by then. */
  release(): void;
}

/**
 * Interleaves two requests between a rule's check and its write: the next call of one repository
 * method waits at a gate until the test releases it, while the test runs a second request to the end.
 * The real repository does the work; only its timing is changed. Wrap the app's repository with
 * `wrap` (startTestServer's `wrapRepository` option).
 */
export class Interleaver {
  private readonly pauses = new Map<string, { arrived: () => void; gate: Promise<void> }>();

  wrap(repo: Repository): Repository {
    return new Proxy(repo, {
      get: (target, storeName: string) => {
        const store = (target as unknown as Record<string, unknown>)[storeName];
        if (typeof store !== 'object' || store === null) return store;
        return new Proxy(store, {
          get: (storeTarget, method: string) => {
            const original = (storeTarget as Record<string, unknown>)[method];
            if (typeof original !== 'function') return original;
            return async (...args: unknown[]) => {
              const key = `${storeName}.${method}`;
              const pause = this.pauses.get(key);
              if (pause) {
                this.pauses.delete(key);
                pause.arrived();
                await pause.gate;
              }
              return (original as (...a: unknown[]) => Promise<unknown>).apply(storeTarget, args);
            };
          },
        });
      },
    });
  }

  /** The next call of `store.method` (e.g. 'opportunities', 'close') waits until released. */
  pauseNext<S extends StoreName>(store: S, method: keyof Repository[S] & string): Pause {
    let arrived!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    this.pauses.set(`${store}.${method}`, { arrived, gate });
    return { reached, release };
  }
}
