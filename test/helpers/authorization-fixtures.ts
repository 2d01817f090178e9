import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestClient, TestResponse } from './api-client';
import { emailItem, referral, startTestServer, type TestServer } from './test-server';

/** Who calls, in the authorization matrix (test/server/authorization-matrix.test.ts). */
export const PERSONAS = [
  'none',
  'owner',
  'advisor',
  'otherTeam',
  'manager',
  'admin',
  'deactivated',
  'revoked',
] as const;
export type Persona = (typeof PERSONAS)[number];
/** A persona with an account (every one but `none`). */
export type Named = Exclude<Persona, 'none'>;

/** Display names distinct enough that a refusal mentioning one of them is caught by a substring check. */
export const DISPLAY_NAMES: Record<Named, string> = {
  owner: 'Olivia Ownerton',
  advisor: 'Avery Northfield',
  otherTeam: 'Sasha Southgate',
  manager: 'Morgan Managerly',
  admin: 'Ada Adminsworth',
  deactivated: 'Dana Deactivee',
  revoked: 'Remy Revokedson',
};
/** The advisor in no persona's role: assigned, added to and removed from teams, shared with. */
export const SPARE_NAME = 'Spencer Spareman';

/** What a cell sends, besides the method and path that come from the endpoint in shared/api.ts. */
export interface CellRequest {
  params?: Record<string, number | string>;
  query?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * The world every cell runs in: teams North (owner, advisor, manager, deactivated, revoked) and South
 * (otherTeam), an admin in no team, and read fixtures made once by the owner. Read cells share them;
 * write cells ask the factories for a fresh target, so no cell depends on another having run.
 */
export class AuthorizationWorld {
  readonly ids = {} as Record<Named, number> & { spare: number; north: number; south: number };
  readonly clients = {} as Record<Persona, TestClient>;
  /** An open and a second open opportunity, and a won one, all owned and created by the owner. */
  openId = 0;
  otherOpenId = 0;
  closedId = 0;
  /** The owner's email linked to the open opportunity, and one the owner linked and unlinked again. */
  linkedMessageId = '';
  unlinkedMessageId = '';
  private counter = 0;

  private constructor(readonly server: TestServer) {}

  static async create(): Promise<AuthorizationWorld> {
    const world = new AuthorizationWorld(await startTestServer());
    await world.populate();
    return world;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** A value no other cell uses (emails, message ids, names). */
  unique(prefix: string): string {
    this.counter += 1;
    return `${prefix}-${this.counter}`;
  }

  /** A message id no other cell uses. */
  messageId(local: string): string {
    return `<${this.unique(local)}@client.example>`;
  }

  private async populate(): Promise<void> {
    const { server } = this;
    const roles: Record<Named, 'advisor' | 'manager' | 'admin'> = {
      owner: 'advisor',
      advisor: 'advisor',
      otherTeam: 'advisor',
      manager: 'manager',
      admin: 'admin',
      deactivated: 'advisor',
      revoked: 'advisor',
    };
    this.clients.none = server.client;
    for (const persona of Object.keys(roles) as Named[]) {
      const { record, api } = await server.advisor(DISPLAY_NAMES[persona], roles[persona]);
      this.ids[persona] = record.id;
      this.clients[persona] = api;
    }
    this.ids.spare = (await server.advisor(SPARE_NAME)).record.id;
    const { ids } = this;
    this.ids.north = await this.newTeam([ids.owner, ids.advisor, ids.manager, ids.deactivated, ids.revoked]);
    this.ids.south = await this.newTeam([ids.otherTeam]);

    // Deactivated and revoked after their tokens were issued (and used once), as in life.
    for (const persona of ['deactivated', 'revoked'] as const) await this.ok(this.clients[persona].get('/api/v1/me'));
    await this.ok(this.clients.admin.patch(`/api/v1/advisors/${ids.deactivated}`, { active: false }));
    const [token] = await server.repo.tokens.listFor(ids.revoked);
    assert.ok(await server.repo.tokens.revoke(token.id, server.clock.now().toISOString()));

    this.openId = await this.newOpen();
    this.otherOpenId = await this.newOpen();
    this.closedId = await this.newClosed();
    this.linkedMessageId = this.messageId('linked');
    await this.linkEmail(this.openId, this.linkedMessageId);
    this.unlinkedMessageId = this.messageId('unlinked');
    await this.unlinkedEmail(this.unlinkedMessageId);
  }

  private async ok(response: Promise<TestResponse>): Promise<any> {
    const res = await response;
    assert.ok(
      res.status >= 200 && res.status < 300,
      `fixture request failed: ${res.status} ${JSON.stringify(res.body)}`,
    );
    return res.body;
  }

  private get owner(): TestClient {
    return this.clients.owner;
  }

  /** An open opportunity the owner created and owns; returns its id (its version is 1). */
  async newOpen(): Promise<number> {
    const email = `${this.unique('customer')}@client.example`;
    return (await this.ok(this.owner.post('/api/v1/opportunities', referral(this.unique('Topic'), email)))).opportunity
      .id;
  }

  /** A won opportunity of the owner. */
  async newClosed(): Promise<number> {
    const id = await this.newOpen();
    await this.ok(this.owner.post(`/api/v1/opportunities/${id}/close`, { outcome: 'won' }));
    return id;
  }

  /** A note by the owner on the open opportunity, shared with team North. */
  async newNote(): Promise<number> {
    const body = { body: 'Call back on Friday', shareWith: { advisorIds: [], teamIds: [this.ids.north] } };
    return (await this.ok(this.owner.post(`/api/v1/opportunities/${this.openId}/notes`, body))).id;
  }

  /** A received email the owner linked to an opportunity; returns the activity's id. */
  async linkEmail(opportunityId: number, messageId = this.messageId('mail')): Promise<number> {
    const body = { item: emailItem(messageId), opportunityId };
    return (await this.ok(this.owner.post('/api/v1/activities/regarding', body))).id;
  }

  /** An email the owner linked to the open opportunity and then unlinked: regarding nothing. */
  async unlinkedEmail(messageId?: string): Promise<number> {
    const id = await this.linkEmail(this.openId, messageId);
    await this.ok(this.owner.delete(`/api/v1/activities/${id}/regarding`));
    return id;
  }

  /** A compose-mode link by the owner to the open opportunity (or unlinked again), waiting for the sent message's internetMessageId. */
  async pendingEmail({ unlink = false } = {}): Promise<number> {
    const item = { kind: 'email', trackingToken: randomUUID(), subject: 'Draft', participants: [] };
    const { id } = await this.ok(this.owner.post('/api/v1/activities/regarding', { item, opportunityId: this.openId }));
    if (unlink) await this.ok(this.owner.delete(`/api/v1/activities/${id}/regarding`));
    return id;
  }

  /** A task the owner recorded on the open opportunity. */
  async newTask(): Promise<number> {
    const body = { kind: 'task', subject: 'Send the forms', opportunityId: this.openId };
    return (await this.ok(this.owner.post('/api/v1/activities', body))).id;
  }

  /** A team the admin created. */
  async newTeam(memberIds: number[] = []): Promise<number> {
    return (await this.ok(this.clients.admin.post('/api/v1/teams', { name: this.unique('Team'), memberIds }))).id;
  }

  /** An advisor the admin added. */
  async newAdvisor(): Promise<number> {
    const body = { email: `${this.unique('new.advisor')}@firm.example`, displayName: this.unique('New Advisor') };
    return (await this.ok(this.clients.admin.post('/api/v1/advisors', body))).id;
  }

  /** A date no other cell made a holiday (one a day from 2030 on). */
  holidayDate(): string {
    const n = Number(this.unique('holiday').split('-')[1]);
    return new Date(Date.UTC(2030, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
  }

  /** A holiday the admin added. */
  async newHoliday(): Promise<string> {
    const body = { date: this.holidayDate(), name: this.unique('Holiday') };
    return (await this.ok(this.clients.admin.post('/api/v1/holidays', body))).date;
  }
}
