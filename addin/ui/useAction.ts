import { useCallback, useEffect, useRef, useState } from 'react';
import { isAbort } from '../api/errors';
import type { Outcome } from './Notice';

export type { Outcome } from './Notice';

/** A failed run: the sentence shown, and what was thrown (an ApiError carries the field errors). */
export interface ActionError {
  text: string;
  cause: unknown;
}

export interface RunOptions<R> {
  /** What to announce when the work succeeds: a sentence (a success), an outcome, or nothing. */
  done?: (result: R) => Outcome | string | null | void;
  /**
   * How a failure reads: by default the error's own message, which for an ApiError is already a
   * sentence a person understands (api/errors.ts). A string is an error; null drops the failure.
   */
  failure?: (error: unknown) => Outcome | string | null;
  /**
   * The run belongs to this signal (an effect's request): once it aborts, nothing is reported. By
   * default the hook's own, aborted when the view unmounts.
   */
  signal?: AbortSignal;
}

export interface Action {
  /** A run is under way. */
  busy: boolean;
  /** The last run's failure, until the next run. */
  error: ActionError | null;
  /** What the last run came to (or what was announced), for a Notice: role status, or alert for an error. */
  outcome: Outcome | null;
  /**
   * Runs the work with an AbortSignal (the hook's, aborted on unmount, unless options.signal). Never
   * rejects: resolves to the work's result, or undefined when it failed or was aborted. A failure
   * whose signal aborted, or an AbortError, is dropped silently; so is the end of a run a newer run
   * of the same hook replaced.
   */
  run: <R>(work: (signal: AbortSignal) => Promise<R>, options?: RunOptions<R>) => Promise<R | undefined>;
  /** The last run again, with the same options. */
  retry: () => void;
  /** Shows an outcome that is no run's (a sentence of the view's own); null clears it. */
  announce: (outcome: Outcome | null) => void;
}

/** The sentence of anything thrown. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const asOutcome = (value: Outcome | string, intent: Outcome['intent']): Outcome =>
  typeof value === 'string' ? { intent, text: value } : value;

/**
 * The busy / error / try-catch of a button or a load, once: `run` marks the action busy, clears
 * the last outcome, runs the work and reports what it came to. `run`, `retry` and `announce` keep
 * their identity, so effects and memoized callbacks may depend on them.
 */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ActionError | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  // Aborted when the view unmounts; replaced if it mounts again.
  const [own] = useState(() => ({ controller: new AbortController() }));
  useEffect(() => {
    if (own.controller.signal.aborted) own.controller = new AbortController();
    const mine = own.controller;
    return () => mine.abort();
  }, [own]);
  const latest = useRef(0);
  const last = useRef<(() => Promise<unknown>) | null>(null);

  const run = useCallback(
    <R>(work: (signal: AbortSignal) => Promise<R>, options: RunOptions<R> = {}): Promise<R | undefined> => {
      const go = async (): Promise<R | undefined> => {
        const signal = options.signal ?? own.controller.signal;
        const ticket = ++latest.current;
        // Only the newest run of a view still showing reports anything.
        const current = () => ticket === latest.current && !signal.aborted;
        last.current = go;
        setBusy(true);
        setError(null);
        setOutcome(null);
        try {
          const result = await work(signal);
          if (current()) {
            const said = options.done?.(result);
            setOutcome(said ? asOutcome(said, 'success') : null);
            setBusy(false);
          }
          return result;
        } catch (failure) {
          if (current()) {
            const said = isAbort(failure) ? null : options.failure ? options.failure(failure) : errorText(failure);
            if (said !== null) {
              const shown = asOutcome(said, 'error');
              setOutcome(shown);
              setError({ text: shown.text, cause: failure });
            }
            setBusy(false);
          }
          return undefined;
        }
      };
      return go();
    },
    [own],
  );

  const retry = useCallback(() => void last.current?.(), []);
  const announce = useCallback((next: Outcome | null) => setOutcome(next), []);

  return { busy, error, outcome, run, retry, announce };
}
