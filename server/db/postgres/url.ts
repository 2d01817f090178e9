import { parse } from 'pg-connection-string';

/**
 * A `DATABASE_URL` in every form libpq and the driver take, which a WHATWG URL does not all parse: a Unix socket's
 * folder as `host=` with a user and no host (`postgres://regarding@/regarding?host=/var/run/postgresql`, which
 * `new URL` refuses), or a password as a query parameter (`?password=…`, `?sslpassword=…`, which `URL.password` does
 * not see).
 */
const SCHEME = /^postgres(?:ql)?:\/\//i;
/**
 * The user and password, up to the authority's `@`: the first one (an `@` may follow in a parameter), or the last
 * one (a password may hold an `@` left unencoded, as the driver reads it). Whichever leaves the URL read as before.
 */
const USER_PASSWORD = [
  /^(postgres(?:ql)?:\/\/[^:@/?#]*):[^@/?#]*@/i,
  /^(postgres(?:ql)?:\/\/[^:@/?#]*):.*@(?=[^@/?#]*(?:[/?#]|$))/i,
];
const PASSWORD_PARAMETER = /([?&](?:ssl)?password=)[^&#]*/gi;

type Parsed = ReturnType<typeof parse> & { sslpassword?: string };

/** Whether `changed` reaches the same server, database and user as `url`, with `password` as its passwords. */
function sameButPasswords(url: string, changed: string, password: string | undefined): boolean {
  try {
    const [before, after] = [parse(url) as Parsed, parse(changed) as Parsed];
    const kept = (['host', 'port', 'database', 'user'] as const).every((key) => before[key] === after[key]);
    const hidden = (secret: string | undefined, now: string | undefined) =>
      secret ? (now || undefined) === password : !now;
    return kept && hidden(before.password, after.password) && hidden(before.sslpassword, after.sslpassword);
  } catch {
    return false;
  }
}

/**
 * The URL as people may see it (start-up banner, command-line output, errors): every password replaced by ***. A URL
 * whose password cannot be told apart from the rest is not shown at all.
 */
export function withoutPassword(url: string): string {
  for (const userPassword of USER_PASSWORD) {
    const shown = url.replace(userPassword, '$1:***@').replace(PASSWORD_PARAMETER, '$1***');
    if (sameButPasswords(url, shown, '***')) return shown;
  }
  const scheme = SCHEME.exec(url)?.[0] ?? '';
  return `${scheme}… (not shown: its password could not be told apart; percent-encode its special characters)`;
}

/**
 * The URL without its password, and the password apart (for PGPASSWORD: never on a command line `ps` shows); null
 * when that cannot be done (a password that cannot be told apart, or an sslpassword, which pg_dump takes nowhere else).
 */
export function splitPassword(url: string): { url: string; password: string | undefined } | null {
  for (const userPassword of USER_PASSWORD) {
    const bare = url
      .replace(userPassword, '$1@')
      .replace(/([?&])password=[^&#]*/gi, '$1')
      .replace(/([?&])&+/g, '$1')
      .replace(/[?&]+(#|$)/, '$1');
    if (sameButPasswords(url, bare, undefined)) return { url: bare, password: parse(url).password || undefined };
  }
  return null;
}
