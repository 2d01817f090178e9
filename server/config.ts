import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

const OnOff = z.enum(['on', 'off']);

/**
 * Outlook on the web and new Outlook frame the task pane from these origins (Outlook for Windows and Mac
 * load it as a top-level page in a web view, where frame-ancestors does not apply). FRAME_ANCESTORS
 * replaces the list for a firm whose Outlook runs elsewhere.
 */
export const OUTLOOK_FRAME_ANCESTORS = [
  'https://outlook.office.com',
  'https://outlook.office365.com',
  'https://outlook.cloud.microsoft',
  'https://outlook.live.com',
];

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Entra ID v2.0 issuers: `https://login.microsoftonline.com/<tenant>/v2.0`; tokens carry the tenant's id there. */
const ENTRA_ISSUER = /^(https:\/\/[^/?#]+\/)([^/?#]+)(\/v2\.0)\/?$/;
/** Authorities that accept accounts of any tenant: the tokens they issue name each account's own tenant. */
const ANY_TENANT = ['common', 'organizations', 'consumers'];
/** What Express's `trust proxy` accepts: an address, a subnet, or a name for a group of them. */
function isProxyAddress(value: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(value)) return true;
  const [address, bits, ...rest] = value.split('/');
  const version = isIP(address);
  if (!version || rest.length) return false;
  if (bits === undefined) return true;
  if (version === 4 && isIP(bits) === 4) return true; // a netmask, as 10.0.0.0/255.0.0.0
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128);
}

/** TRUST_PROXY: false, true (trust every hop: only behind a proxy that overwrites X-Forwarded-For), a hop count, or addresses. */
const TrustProxy = z
  .string()
  .trim()
  .transform((value, context): boolean | number | string[] => {
    if (value === 'false' || value === '') return false;
    if (value === 'true') return true;
    if (/^\d+$/.test(value)) return Number(value);
    const list = value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    const wrong = list.filter((item) => !isProxyAddress(item));
    if (wrong.length) {
      context.addIssue({
        code: 'custom',
        message: `not false, true, a hop count, or addresses/subnets (loopback, 10.0.0.0/8, ...): ${wrong.join(', ')}`,
      });
      return z.NEVER;
    }
    return list;
  });

const Count = z.coerce.number().int().min(1);
const Milliseconds = z.coerce.number().int().min(1);

/** Every setting of the service, read from environment variables (documented in the README). */
const Environment = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('localhost'),
  PUBLIC_ORIGIN: z.url().optional(),
  DATABASE_FILE: z.string().default('./data/regarding.db'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/./, 'only a PostgreSQL URL (postgres://user:password@host:5432/database) is accepted')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  WRITE_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(1500),
  WAL_CHECKPOINT_PAGES: z.coerce.number().int().min(10).max(1_000_000).default(1000),
  REPORT_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  SIGN_IN_REUSE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  TRUST_PROXY: TrustProxy.default(false),
  RATE_LIMIT_FAILED_AUTH: Count.default(20),
  RATE_LIMIT_FAILED_AUTH_PER_ADDRESS: Count.default(100),
  RATE_LIMIT_FAILED_AUTH_WINDOW_MS: Milliseconds.default(15 * 60_000),
  RATE_LIMIT_WRITES: Count.default(120),
  RATE_LIMIT_WRITES_WINDOW_MS: Milliseconds.default(60_000),
  HEADERS_TIMEOUT_MS: Milliseconds.default(10_000),
  REQUEST_TIMEOUT_MS: Milliseconds.default(30_000),
  KEEP_ALIVE_TIMEOUT_MS: Milliseconds.default(65_000),
  TLS: OnOff.default('on'),
  TLS_CERT_FILE: z.string().optional(),
  TLS_KEY_FILE: z.string().optional(),
  AUTH_PROVIDERS: z
    .string()
    .default('pat')
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(['pat', 'oidc'])).min(1)),
  OIDC_ISSUER: z.url().optional(),
  OIDC_AUDIENCE: z.string().optional(),
  OIDC_TENANTS: z
    .string()
    .transform((value) =>
      value
        .split(/[ ,]+/)
        .filter(Boolean)
        .map((id) => id.toLowerCase()),
    )
    .pipe(z.array(z.string().regex(TENANT_ID, 'not a tenant id (a GUID)')).min(1, 'at least one tenant id'))
    .optional(),
  OIDC_JWKS_URI: z.url().optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_SCOPES: z.string().optional(),
  DEMO_DATA: OnOff.default('off'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ADDIN_DIR: z.string().default('./dist/addin'),
  FRAME_ANCESTORS: z
    .string()
    .transform((value) => value.split(/[ ,]+/).filter(Boolean))
    .pipe(
      z
        .array(z.string().regex(/^https:\/\/[^/?#*\s]+\/?$/, 'not an https origin such as https://outlook.office.com'))
        .min(1, 'at least one https origin'),
    )
    .optional(),
  SMTP_URL: z
    .string()
    .trim()
    .regex(/^smtps?:\/\/[^\s]+$/, 'not an SMTP URL such as smtp://user:pass@host:587 or smtps://host:465')
    .optional(),
  ALERTS_FROM: z.string().trim().min(1).optional(),
  DIGEST_HOUR: z.coerce.number().int().min(0).max(23).default(7),
  ALERT_CHECK_MINUTES: z.coerce.number().int().min(1).max(15).default(5),
});

/** A tenant whose accounts may sign in, and the issuer (`iss`) its tokens carry. */
export interface EntraTenant {
  id: string;
  issuer: string;
}

export interface Config {
  port: number;
  host: string;
  /** The origin Outlook loads the add-in from; the manifest points here. */
  publicOrigin: string | undefined;
  /** The SQLite file; with databaseUrl, only its folder is used (this instance's certificate, demo sign-ins). */
  databaseFile: string;
  /** A PostgreSQL server's URL (holds its password, so it is never logged); none: the SQLite file. */
  databaseUrl: string | undefined;
  /** Connections each instance's PostgreSQL pool opens at most. */
  databasePoolSize: number;
  /**
   * On PostgreSQL, how long one of the service's statements may run before PostgreSQL cancels it (0: none set here, a
   * role's or database's applies); migrations and the command-line tools have none.
   */
  databaseStatementTimeoutMs: number;
  /** How long a write waits for a lock held by another process before answering 503. */
  writeWaitMs: number;
  /** The checkpointer's thread copies the WAL into the database file once it holds this many pages. */
  walCheckpointPages: number;
  /** How long a firm-wide report's answer is reused (each says when it was read: asOf). */
  reportCacheSeconds: number;
  /**
   * On PostgreSQL, how long at most an instance reuses a token it found and failed-sign-in counts it read clean
   * when the change (a revocation, a deactivation, a failure) came through another instance or the admin CLI.
   */
  signInReuseMs: number;
  /** Express's `trust proxy`: which proxies' X-Forwarded-For gives the client's address. */
  trustProxy: boolean | number | string[];
  rateLimits: {
    /** Failed sign-ins per client address, and per presented token, in a window; then 429 until it ends. */
    /** limit: per presented token; perAddress: per client address (higher: many advisors may share one). */
    failedAuth: { limit: number; perAddress: number; windowMs: number };
    /** Changes (POST, PUT, PATCH, DELETE) per signed-in advisor in a window. */
    writes: { limit: number; windowMs: number };
  };
  timeouts: { headersMs: number; requestMs: number; keepAliveMs: number };
  tls: { enabled: boolean; certFile?: string; keyFile?: string };
  auth: {
    providers: ('pat' | 'oidc')[];
    oidc?: {
      /** The authority: discovery and the pane's sign-in start here. */
      issuer: string;
      audience: string;
      jwksUri?: string;
      clientId?: string;
      scopes: string[];
      /** The tenants whose accounts may sign in, each with the issuer its tokens must name. */
      tenants: EntraTenant[];
      /** The tenant in OIDC_ISSUER, when it names one: the only tenant bindings before migration 6 came from. */
      issuerTenant: string | null;
    };
  };
  demoData: boolean;
  logLevel: z.infer<typeof Environment>['LOG_LEVEL'];
  addinDir: string;
  /** Origins allowed to frame the pane besides its own (Content-Security-Policy frame-ancestors). */
  frameAncestors: string[];
  /** Email alerts: absent when SMTP_URL is unset (nothing is sent, the scheduler does not run). */
  alerts: {
    /** nodemailer's connection URL; holds the SMTP credentials, so it is never logged. */
    smtp?: { url: string; from: string };
    /** The local hour (in each advisor's time zone) from which their daily digest is due. */
    digestHour: number;
    /** How often the untouched check and due digests run, in minutes (at most 15: the alert's promise). */
    checkMinutes: number;
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Environment.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.AUTH_PROVIDERS.includes('oidc') && (!e.OIDC_ISSUER || !e.OIDC_AUDIENCE)) {
    throw new Error(
      'Invalid configuration:\n  AUTH_PROVIDERS includes oidc, so OIDC_ISSUER and OIDC_AUDIENCE are required',
    );
  }
  const oidcTenants = e.OIDC_ISSUER && e.OIDC_AUDIENCE ? entraTenants(e.OIDC_ISSUER, e.OIDC_TENANTS) : undefined;
  if (e.HEADERS_TIMEOUT_MS > e.REQUEST_TIMEOUT_MS) {
    throw new Error('Invalid configuration:\n  HEADERS_TIMEOUT_MS is longer than REQUEST_TIMEOUT_MS');
  }
  if (Boolean(e.TLS_CERT_FILE) !== Boolean(e.TLS_KEY_FILE)) {
    throw new Error('Invalid configuration:\n  TLS_CERT_FILE and TLS_KEY_FILE go together');
  }
  if (e.SMTP_URL && !e.ALERTS_FROM) {
    throw new Error(
      'Invalid configuration:\n  SMTP_URL is set, so ALERTS_FROM (the address alerts are sent from) is required',
    );
  }
  if (e.SMTP_URL && !e.PUBLIC_ORIGIN) {
    // Without it the links in emails would point to localhost, which no recipient can open.
    throw new Error(
      'Invalid configuration:\n  SMTP_URL is set, so PUBLIC_ORIGIN (the origin links in emails point to) is required',
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    publicOrigin: e.PUBLIC_ORIGIN?.replace(/\/$/, ''),
    databaseFile: path.resolve(e.DATABASE_FILE),
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databaseStatementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
    writeWaitMs: e.WRITE_WAIT_MS,
    walCheckpointPages: e.WAL_CHECKPOINT_PAGES,
    reportCacheSeconds: e.REPORT_CACHE_SECONDS,
    signInReuseMs: e.SIGN_IN_REUSE_MS,
    trustProxy: e.TRUST_PROXY,
    rateLimits: {
      failedAuth: {
        limit: e.RATE_LIMIT_FAILED_AUTH,
        perAddress: e.RATE_LIMIT_FAILED_AUTH_PER_ADDRESS,
        windowMs: e.RATE_LIMIT_FAILED_AUTH_WINDOW_MS,
      },
      writes: { limit: e.RATE_LIMIT_WRITES, windowMs: e.RATE_LIMIT_WRITES_WINDOW_MS },
    },
    timeouts: {
      headersMs: e.HEADERS_TIMEOUT_MS,
      requestMs: e.REQUEST_TIMEOUT_MS,
      keepAliveMs: e.KEEP_ALIVE_TIMEOUT_MS,
    },
    tls: { enabled: e.TLS === 'on', certFile: e.TLS_CERT_FILE, keyFile: e.TLS_KEY_FILE },
    auth: {
      providers: e.AUTH_PROVIDERS,
      oidc:
        e.OIDC_ISSUER && e.OIDC_AUDIENCE && oidcTenants
          ? {
              ...oidcTenants,
              issuer: e.OIDC_ISSUER,
              audience: e.OIDC_AUDIENCE,
              jwksUri: e.OIDC_JWKS_URI,
              clientId: e.OIDC_CLIENT_ID,
              scopes: (e.OIDC_SCOPES ?? `${e.OIDC_AUDIENCE}/access_as_user`).split(/[ ,]+/).filter(Boolean),
            }
          : undefined,
    },
    demoData: e.DEMO_DATA === 'on',
    logLevel: e.LOG_LEVEL,
    addinDir: path.resolve(e.ADDIN_DIR),
    frameAncestors: e.FRAME_ANCESTORS?.map((url) => new URL(url).origin) ?? OUTLOOK_FRAME_ANCESTORS,
    alerts: {
      smtp: e.SMTP_URL && e.ALERTS_FROM ? { url: e.SMTP_URL, from: e.ALERTS_FROM } : undefined,
      digestHour: e.DIGEST_HOUR,
      checkMinutes: e.ALERT_CHECK_MINUTES,
    },
  };
}

/**
 * The tenants whose accounts may sign in (OIDC_TENANTS, or the one OIDC_ISSUER names) and each one's
 * issuer: Entra puts the account's own tenant in `iss`, so a token must name the issuer of its `tid`.
 * An issuer for any tenant (`/common/`, `/organizations/`) without OIDC_TENANTS is refused: it would
 * let every Entra ID tenant in the world sign in.
 */
function entraTenants(
  issuer: string,
  listed: string[] | undefined,
): { tenants: EntraTenant[]; issuerTenant: string | null } {
  const match = ENTRA_ISSUER.exec(issuer);
  if (!match) {
    throw new Error(
      'Invalid configuration:\n  OIDC_ISSUER: not an Entra ID v2.0 issuer such as https://login.microsoftonline.com/<tenant-id>/v2.0',
    );
  }
  const [, origin, tenant, version] = match;
  const anyTenant = ANY_TENANT.includes(tenant.toLowerCase());
  if (anyTenant && !listed) {
    throw new Error(
      `Invalid configuration:\n  OIDC_ISSUER accepts accounts from any tenant (${tenant}): set OIDC_TENANTS to the ids of the tenants whose accounts may sign in`,
    );
  }
  if (!anyTenant && !TENANT_ID.test(tenant)) {
    throw new Error(
      `Invalid configuration:\n  OIDC_ISSUER: name the tenant by its id (a GUID), as tokens do, not "${tenant}"`,
    );
  }
  const issuerTenant = anyTenant ? null : tenant.toLowerCase();
  const ids = [...new Set(listed ?? [issuerTenant!])];
  return { tenants: ids.map((id) => ({ id, issuer: `${origin}${id}${version}` })), issuerTenant };
}
