import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../server/db/connection';
import { migrate } from '../../server/db/migrate';
import { createSqliteRepository } from '../../server/repository/sqlite';
import type { Repository } from '../../server/repository/repository';
import { describeRepositoryConformance } from './repository-conformance';

/** The embedded SQLite file: a second instance is a second connection to the same file, as a second process has. */
describeRepositoryConformance({
  name: 'SQLite (a database file)',
  open() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-conformance-'));
    const file = path.join(dir, 'regarding.db');
    const db = openDatabase(file);
    migrate(db);
    const instances: Repository[] = [createSqliteRepository(db)];
    return Promise.resolve({
      repo: instances[0],
      another() {
        const repo = createSqliteRepository(openDatabase(file));
        instances.push(repo);
        return Promise.resolve(repo);
      },
      async close() {
        await Promise.all(instances.map((repo) => repo.close()));
        fs.rmSync(dir, { recursive: true, force: true });
      },
    });
  },
});
