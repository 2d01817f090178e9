import { parse } from 'pg-connection-string';

/**
 * A `DATABASE_URL` in every form libpq and the driver take, which a WHATWG URL does not all parse: a Unix socket's
 * folder as `host=` with a user and no host (`postgres://regarding@/regarding?host=/var/run/postgresql`, which
 * `new URL` refuses), or the password as a query parameter (`?password=…`, which `URL.password` does not see).
 */
const USER_PASSWORD = /^(postgres(?:ql)?:\/\/[^:@/?#]*):[^@/?#]*@/i;
const PASSWORD_PARAMETER = /([?&]password=)[^&#]*/gi;

/** The URL as people may see it (start-up banner, command-line output, errors): every password replaced by ***. */
export function withoutPassword(url: string): string {
  return url.replace(USER_PASSWORD, '$1:***@').replace(PASSWORD_PARAMETER, '$1***');
}

/** The URL with no password in it, and the password apart (for PGPASSWORD: never on a command line `ps` shows). */
export function splitPassword(url: string): { url: string; password: string | undefined } {
  const password = parse(url).password || undefined;
  const bare = url
    .replace(USER_PASSWORD, '$1@')
    .replace(/([?&])password=[^&#]*&?/gi, '$1')
    .replace(/[?&](#|$)/, '$1');
  return { url: bare, password };
}
