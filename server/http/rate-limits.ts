import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type AugmentedRequest } from 'express-rate-limit';
import type { Logger } from 'pino';
import { hashAccessToken } from '../auth/access-tokens';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { AppError } from '../errors';
import { requestLogger } from './request-log';
import type { ChangeStamp, RateLimitStore, Repository } from '../repository/repository';

/** A rate limit was reached: try again after `retryAfterSeconds` (sent as Retry-After). */
export class TooManyRequestsError extends AppError {
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, 'Too Many Requests', detail);
  }
}

function refuse(res: Response, next: NextFunction, detail: string, resetTime: Date | undefined, now: number): void {
  const seconds = Math.max(1, Math.ceil(((resetTime?.getTime() ?? now) - now) / 1000));
  res.setHeader('Retry-After', String(seconds));
  next(new TooManyRequestsError(detail, seconds));
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;
/** The methods that only read: a request with any other may change something. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * IPv6 clients are counted by /56 subnet (express-rate-limit's default): one host has many addresses. An address
 * without a colon is not IPv6 and is its own key: Node's IPv6 test (a long regular expression) is skipped for it.
 */
const addressKey = (req: Request) => {
  const ip = req.ip ?? 'unknown';
  return ip.includes(':') ? ipKeyGenerator(ip) : ip;
};

const tokenKeys = new WeakMap<Request, string | undefined>();

/**
 * The token's SHA-256 (the token itself is never stored), worked out once a request: the guard counts failures by
 * it, and the authenticator looks the token up by it.
 */
export function tokenKey(req: Request): string | undefined {
  if (tokenKeys.has(req)) return tokenKeys.get(req);
  const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
  const key = token && hashAccessToken(token);
  tokenKeys.set(req, key);
  return key;
}

/**
 * Failed sign-ins, counted per client address and per presented token. Over the limit, a request is
 * refused (429) before its token is checked, so guessing stops, and a correct token from a blocked
 * address waits too. The address limit is higher than the token one: one client stuck retrying a
 * dead token is stopped by its token's limit before it blocks everyone behind the same address.
 * Checking costs one read (both counts); only a failure writes.
 *
 * Not express-rate-limit's middleware: it counts every request, and the hot path must not write.
 * Its Store interface and IPv6 key are used as the change limit uses them.
 */
export class FailedSignIns {
  /** Keys `address:…` and `token:…`: one read finds both counts. */
  private readonly counted: RateLimitStore;
  /**
   * A key that has failed before is checked one request at a time (in this process): otherwise many
   * guesses sent at once would all pass the check before the first failure is counted.
   */
  private readonly turns = new Map<string, Promise<void>>();

  constructor(
    private readonly repo: Repository,
    private readonly limits: Config['rateLimits']['failedAuth'],
    private readonly clock: Clock,
  ) {
    const now = () => clock.now().getTime();
    this.counted = repo.rateLimitStore({ prefix: 'auth-', windowMs: limits.windowMs, now });
  }

  private async counts(req: Request, stamp: ChangeStamp) {
    const token = tokenKey(req);
    const keys = [`address:${addressKey(req)}`];
    if (token) keys.push(`token:${token}`);
    const [address, presented] = await this.counted.getMany(keys, stamp);
    return { address, presented };
  }

  /** Waits for the previous request of this key to be decided; returns this request's turn to release. */
  private async takeTurn(key: string): Promise<() => void> {
    const previous = this.turns.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const chained = previous.then(() => mine);
    this.turns.set(key, chained);
    await previous;
    return () => {
      release();
      if (this.turns.get(key) === chained) this.turns.delete(key);
    };
  }

  /** Middleware before authentication: 429 with Retry-After while the address or the token is blocked. */
  readonly guard: RequestHandler = async (req, res, next) => {
    // A change is decided on the caller as stored now: a token revoked or an admin removed through another instance
    // changes nothing, however recently its token was checked (reads may be answered within SIGN_IN_REUSE_MS).
    const exact = !READS.has(req.method);
    let stamp = this.repo.changeStamp({ exact });
    let { address, presented } = await this.counts(req, stamp);
    if ((address?.totalHits ?? 0) > 0 || (presented?.totalHits ?? 0) > 0) {
      // Failed before: decide this request only after the ones already being checked, on fresh counts.
      const releases = [await this.takeTurn(`a:${addressKey(req)}`)];
      const token = tokenKey(req);
      if (token) releases.push(await this.takeTurn(`t:${token}`));
      res.locals.releaseSignInTurn = () => releases.forEach((release) => release());
      stamp = this.repo.changeStamp({ exact });
      ({ address, presented } = await this.counts(req, stamp));
    }
    // The authenticator's token lookup reuses it: a request reads the stamp once (a read transaction of its own).
    res.locals.changeStamp = stamp;
    const blocked = [
      address && address.totalHits >= this.limits.perAddress ? address : undefined,
      presented && presented.totalHits >= this.limits.limit ? presented : undefined,
    ].filter((info) => info !== undefined);
    if (!blocked.length) {
      next();
      return;
    }
    this.settled(res);
    res.locals.signInsBlocked = true;
    const resetTime = new Date(Math.max(...blocked.map((info) => info.resetTime?.getTime() ?? 0)));
    refuse(
      res,
      next,
      'Too many failed sign-ins. Wait until Retry-After has passed, then sign in again.',
      resetTime,
      this.clock.now().getTime(),
    );
  };

  /** Once authentication is decided (and a failure counted): the next request of the same key may be checked. */
  settled(res: Response): void {
    const release = res.locals.releaseSignInTurn as (() => void) | undefined;
    res.locals.releaseSignInTurn = undefined;
    release?.();
  }

  /** Counts a failed sign-in. Logged at debug, and at warn once per window when it blocks an address or a token. */
  async failed(req: Request): Promise<void> {
    const address = addressKey(req);
    const token = tokenKey(req);
    const [byAddress, byToken] = await Promise.all([
      this.counted.increment(`address:${address}`),
      token ? this.counted.increment(`token:${token}`) : undefined,
    ]);
    requestLogger(req).debug({ address }, 'sign-in failed');
    if (byAddress.totalHits === this.limits.perAddress) {
      requestLogger(req).warn(
        { address, until: byAddress.resetTime },
        'sign-ins blocked for an address: too many failures',
      );
    }
    if (byToken?.totalHits === this.limits.limit) {
      // The hash's start tells the log's reader which token, without making it usable.
      requestLogger(req).warn(
        { token: token!.slice(0, 12), until: byToken.resetTime },
        'sign-ins blocked for a token: too many failures',
      );
    }
  }
}

/**
 * Changes (POST, PUT, PATCH, DELETE) per signed-in advisor, with express-rate-limit: mounted after
 * authentication. A database error while counting lets the change through (passOnStoreError): the
 * change itself then meets the same database.
 */
export function changeLimit(
  repo: Repository,
  { limit, windowMs }: Config['rateLimits']['writes'],
  clock: Clock,
  logger: Logger,
): RequestHandler {
  return rateLimit({
    windowMs,
    limit,
    store: repo.rateLimitStore({ prefix: 'writes:', windowMs, now: () => clock.now().getTime(), batched: true }),
    keyGenerator: (_req, res) => String(res.locals.advisorId),
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    passOnStoreError: true,
    logger: {
      warn: (error, message) => logger.warn({ err: error }, message),
      error: (error, message) => logger.error({ err: error }, message),
    },
    handler: (req, res, next) =>
      refuse(
        res,
        next,
        'Too many changes in a short time. Nothing was changed: wait until Retry-After has passed, then try again.',
        (req as AugmentedRequest).rateLimit.resetTime,
        clock.now().getTime(),
      ),
  });
}
