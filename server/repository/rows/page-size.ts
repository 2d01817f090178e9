/**
 * A page size checked to be written into a statement's text as `LIMIT n`, as both storage backends write it. On
 * SQLite a LIMIT bound as a parameter costs about what preparing the statement again on every run would (the extra
 * grows with the statement, as a prepare's does: 3 µs for a one-table SELECT, about 100 µs for suggestions' eight
 * tables, with the same plan); an OFFSET bound on a plain table costs nothing extra. One statement is kept per page
 * size asked: at most about a hundred of each (the contract's page maximum), and clients ask few. Accepted: a whole
 * number from 1 to 1000.
 */
export function checkedLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new Error(`invalid page size ${limit}`);
  return limit;
}
