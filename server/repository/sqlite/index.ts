import type { Db } from '../../db/connection';
import type { Repository } from '../repository';
import { SqliteActivityStore } from './activities';
import { SqliteContactStore } from './contacts';
import { SqliteNoteStore } from './notes';
import { SqliteOpportunityStore } from './opportunities';
import { SqliteAdvisorStore, SqliteTeamStore } from './people';
import { SqliteTokenStore } from './tokens';
import { SqliteWorkStore } from './work';

export function createSqliteRepository(db: Db): Repository {
  return {
    advisors: new SqliteAdvisorStore(db),
    teams: new SqliteTeamStore(db),
    tokens: new SqliteTokenStore(db),
    contacts: new SqliteContactStore(db),
    opportunities: new SqliteOpportunityStore(db),
    notes: new SqliteNoteStore(db),
    activities: new SqliteActivityStore(db),
    work: new SqliteWorkStore(db),
    async ping() {
      return db.prepare('SELECT 1').pluck().get() === 1;
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
