import assert from 'node:assert/strict';
import type { TestServer } from './test-server';

/**
 * Deletes an opportunity as a firm's clean-up would (the service never does): what refers to it goes first, the
 * columns that refer to it as each backend's catalog lists them, except the tables named in `cascaded`, whose rows
 * are left for the foreign key's ON DELETE CASCADE to remove.
 */
export async function deleteOpportunity(server: TestServer, id: number, cascaded: string[] = []): Promise<void> {
  const references = await server.rows<{ name: string; column: string }>(
    server.backend === 'sqlite'
      ? `SELECT m.name AS name, k."from" AS "column" FROM sqlite_schema m, pragma_foreign_key_list(m.name) k
           WHERE m.type = 'table' AND k."table" = 'opportunities'`
      : `SELECT c.conrelid::regclass::text AS name, a.attname AS "column" FROM pg_constraint c
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
           WHERE c.contype = 'f' AND c.confrelid = 'opportunities'::regclass`,
  );
  assert.ok(references.length > 0);
  for (const { name, column } of references.filter((reference) => !cascaded.includes(reference.name)))
    await server.rows(`DELETE FROM ${name} WHERE ${column} = ?`, id);
  await server.rows('DELETE FROM opportunities WHERE id = ?', id);
}
