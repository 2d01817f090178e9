import type { Migration } from '../migrate';

// Timestamps are ISO-8601 UTC strings ("2026-11-22T18:00:00.000Z"), so text order is time order.
export const initial: Migration = {
  version: 1,
  name: 'initial',
  sql: /* sql */ `
CREATE TABLE advisors (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL COLLATE NOCASE UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT 'advisor' CHECK (role IN ('advisor', 'manager', 'admin')),
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  entra_oid TEXT UNIQUE,
  work_seen_at TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX advisors_name ON advisors (display_name COLLATE NOCASE);

CREATE TABLE teams (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL COLLATE NOCASE UNIQUE,
  created_at TEXT NOT NULL
);

CREATE TABLE team_members (
  team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  advisor_id INTEGER NOT NULL REFERENCES advisors (id),
  PRIMARY KEY (team_id, advisor_id)
) WITHOUT ROWID;
CREATE INDEX team_members_advisor ON team_members (advisor_id);

CREATE TABLE access_tokens (
  id INTEGER PRIMARY KEY,
  advisor_id INTEGER NOT NULL REFERENCES advisors (id),
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  last_used_at TEXT,
  revoked_at TEXT
);

CREATE TABLE organizations (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE organization_domains (
  domain TEXT NOT NULL COLLATE NOCASE PRIMARY KEY,
  organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE contacts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT COLLATE NOCASE UNIQUE,
  phone TEXT,
  organization_id INTEGER REFERENCES organizations (id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX contacts_name ON contacts (name COLLATE NOCASE);

CREATE TABLE campaigns (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
INSERT INTO campaigns (id, name) VALUES
  (1, 'Referral'), (2, 'Medicare Supplement'), (3, 'Website'), (4, 'Event'), (5, 'Other');

CREATE TABLE opportunities (
  id INTEGER PRIMARY KEY,
  topic TEXT NOT NULL,
  description TEXT,
  customer_contact_id INTEGER REFERENCES contacts (id),
  customer_organization_id INTEGER REFERENCES organizations (id),
  campaign_id INTEGER NOT NULL REFERENCES campaigns (id),
  stage TEXT NOT NULL CHECK (stage IN ('qualify', 'develop', 'propose', 'close')),
  stage_entered_at TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
  owner_id INTEGER NOT NULL REFERENCES advisors (id),
  assigned_at TEXT NOT NULL,
  created_by_id INTEGER NOT NULL REFERENCES advisors (id),
  estimated_value REAL,
  estimated_close_date TEXT,
  actual_value REAL,
  actual_close_date TEXT,
  close_reason TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  CHECK (customer_contact_id IS NOT NULL OR customer_organization_id IS NOT NULL)
);
CREATE INDEX opportunities_owner ON opportunities (owner_id, status, updated_at);
CREATE INDEX opportunities_status ON opportunities (status, updated_at);
CREATE INDEX opportunities_contact ON opportunities (customer_contact_id, status);
CREATE INDEX opportunities_organization ON opportunities (customer_organization_id);
CREATE INDEX opportunities_created_by ON opportunities (created_by_id, status);

-- Type-ahead search over word prefixes of the topic and the customer's name, email and organization.
CREATE VIRTUAL TABLE opportunity_search USING fts5 (
  topic, customer, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
);
CREATE VIEW opportunity_search_source AS
  SELECT o.id AS id, o.topic AS topic,
         trim(coalesce(c.name, '') || ' ' || coalesce(c.email, '') || ' ' || coalesce(g.name, '')) AS customer
  FROM opportunities o
  LEFT JOIN contacts c ON c.id = o.customer_contact_id
  LEFT JOIN organizations g ON g.id = o.customer_organization_id;
CREATE TRIGGER opportunity_search_insert AFTER INSERT ON opportunities BEGIN
  INSERT INTO opportunity_search (rowid, topic, customer)
    SELECT id, topic, customer FROM opportunity_search_source WHERE id = new.id;
END;
CREATE TRIGGER opportunity_search_update AFTER UPDATE OF topic, customer_contact_id, customer_organization_id ON opportunities BEGIN
  DELETE FROM opportunity_search WHERE rowid = old.id;
  INSERT INTO opportunity_search (rowid, topic, customer)
    SELECT id, topic, customer FROM opportunity_search_source WHERE id = new.id;
END;
CREATE TRIGGER opportunity_search_delete AFTER DELETE ON opportunities BEGIN
  DELETE FROM opportunity_search WHERE rowid = old.id;
END;
CREATE TRIGGER opportunity_search_contact AFTER UPDATE OF name, email ON contacts BEGIN
  DELETE FROM opportunity_search WHERE rowid IN (SELECT id FROM opportunities WHERE customer_contact_id = new.id);
  INSERT INTO opportunity_search (rowid, topic, customer)
    SELECT id, topic, customer FROM opportunity_search_source
    WHERE id IN (SELECT id FROM opportunities WHERE customer_contact_id = new.id);
END;
CREATE TRIGGER opportunity_search_organization AFTER UPDATE OF name ON organizations BEGIN
  DELETE FROM opportunity_search WHERE rowid IN (SELECT id FROM opportunities WHERE customer_organization_id = new.id);
  INSERT INTO opportunity_search (rowid, topic, customer)
    SELECT id, topic, customer FROM opportunity_search_source
    WHERE id IN (SELECT id FROM opportunities WHERE customer_organization_id = new.id);
END;

-- A create retried with the same Idempotency-Key returns the first opportunity.
CREATE TABLE idempotency_keys (
  advisor_id INTEGER NOT NULL REFERENCES advisors (id),
  key TEXT NOT NULL,
  opportunity_id INTEGER NOT NULL REFERENCES opportunities (id),
  created_at TEXT NOT NULL,
  PRIMARY KEY (advisor_id, key)
) WITHOUT ROWID;

CREATE TABLE assignments (
  id INTEGER PRIMARY KEY,
  opportunity_id INTEGER NOT NULL REFERENCES opportunities (id),
  from_advisor_id INTEGER REFERENCES advisors (id),
  to_advisor_id INTEGER NOT NULL REFERENCES advisors (id),
  by_advisor_id INTEGER NOT NULL REFERENCES advisors (id),
  message TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX assignments_opportunity ON assignments (opportunity_id, created_at);
CREATE INDEX assignments_to ON assignments (to_advisor_id, created_at);

CREATE TABLE notes (
  id INTEGER PRIMARY KEY,
  opportunity_id INTEGER NOT NULL REFERENCES opportunities (id),
  author_id INTEGER NOT NULL REFERENCES advisors (id),
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX notes_opportunity ON notes (opportunity_id, created_at);

CREATE TABLE note_shares (
  id INTEGER PRIMARY KEY,
  note_id INTEGER NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
  advisor_id INTEGER REFERENCES advisors (id),
  team_id INTEGER REFERENCES teams (id),
  CHECK ((advisor_id IS NULL) <> (team_id IS NULL)),
  UNIQUE (note_id, advisor_id),
  UNIQUE (note_id, team_id)
);
CREATE INDEX note_shares_advisor ON note_shares (advisor_id);
CREATE INDEX note_shares_team ON note_shares (team_id);

CREATE TABLE activities (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('email', 'appointment', 'phone_call', 'task')),
  subject TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed', 'canceled')),
  sent_at TEXT,
  start_at TEXT,
  end_at TEXT,
  location TEXT,
  regarding_opportunity_id INTEGER REFERENCES opportunities (id),
  internet_message_id TEXT UNIQUE,
  conversation_id TEXT,
  item_id TEXT UNIQUE,
  tracking_token TEXT UNIQUE,
  created_by_id INTEGER NOT NULL REFERENCES advisors (id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK (kind IN ('phone_call', 'task') OR internet_message_id IS NOT NULL OR item_id IS NOT NULL OR tracking_token IS NOT NULL)
);
CREATE INDEX activities_regarding ON activities (regarding_opportunity_id, status, start_at);

CREATE TABLE activity_participants (
  activity_id INTEGER NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('from', 'to', 'cc', 'organizer', 'attendee')),
  email TEXT NOT NULL COLLATE NOCASE,
  name TEXT,
  PRIMARY KEY (activity_id, role, email)
) WITHOUT ROWID;

-- "Recent": the opportunities an advisor linked an item to or opened lately.
CREATE TABLE opportunity_recent (
  advisor_id INTEGER NOT NULL REFERENCES advisors (id),
  opportunity_id INTEGER NOT NULL REFERENCES opportunities (id),
  used_at TEXT NOT NULL,
  PRIMARY KEY (advisor_id, opportunity_id)
) WITHOUT ROWID;
CREATE INDEX opportunity_recent_used ON opportunity_recent (advisor_id, used_at);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor_id INTEGER REFERENCES advisors (id),
  entity TEXT NOT NULL,
  entity_id INTEGER NOT NULL,
  action TEXT NOT NULL,
  details TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
`,
};
