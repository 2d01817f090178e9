import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { simpleParser, type ParsedMail } from 'mailparser';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { ABANDONED_CLAIM_MS, type AlertContext } from '../../server/alerts/context';
import { runDigests } from '../../server/alerts/digest/run-digests';
import { SMTP_TIMEOUTS, smtpMailer } from '../../server/alerts/mailer/mailer';
import { alertContext } from '../../server/alerts/scheduler/scheduler';
import { runUntouchedAlerts } from '../../server/alerts/untouched/run-untouched';
import { ManualClock } from '../../server/clock';
import { loadConfig } from '../../server/config';
import type { Repository } from '../../server/repository/repository';
import { startChildServer, waitForOutput, type ChildServer } from '../helpers/child-server';
import { Interleaver } from '../helpers/interleave';
import { itOnSqlite, referral, startTestServer, type TestServer } from '../helpers/test-server';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ORIGIN = 'https://regarding.example';

interface Received {
  to: string[];
  mail: ParsedMail;
}

/** A real SMTP server on loopback that keeps every message it accepts, parsed. */
async function startSmtp(options: { refuseNext?: number; hangOnData?: boolean } = {}) {
  const received: Received[] = [];
  let dataStarted = 0;
  let refuse = options.refuseNext ?? 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (refuse > 0) {
        refuse -= 1;
        callback(Object.assign(new Error('Mailbox busy, try later'), { responseCode: 450 }));
      } else callback();
    },
    onData(stream, session, callback) {
      dataStarted += 1;
      if (options.hangOnData) {
        // Reads the message and never answers: a hung server.
        stream.resume();
        return;
      }
      simpleParser(stream).then(
        (mail) => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    dataStarted: () => dataStarted,
    to: (email: string) => received.filter((r) => r.to.includes(email)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
type Smtp = Awaited<ReturnType<typeof startSmtp>>;

const silent = pino({ level: 'silent' });
type Account = Awaited<ReturnType<TestServer['advisor']>>;

describe('email alerts', function () {
  this.timeout(60_000);
  let smtp: Smtp;
  let server: TestServer;
  let alerts: AlertContext;

  /** The runners as the server runs them, on this repository and clock (another "process" when given its own). */
  const contextOn = (repo: Repository, clock: ManualClock = server.clock) =>
    alertContext({ config: server.config, repo, clock, logger: silent, origin: server.config.publicOrigin! })!;
  /** A second connection to the same database file: a restarted server, or a second process. */
  const reopened = (options: { writeWaitMs?: number } = {}) => server.anotherInstance(options);

  const create = async (account: Account, topic: string, extraFields: Record<string, unknown> = {}) => {
    const res = await account.api.post('/api/v1/opportunities', {
      ...referral(topic, `${topic.replace(/\W+/g, '').toLowerCase()}@client.example`),
      ...extraFields,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.opportunity.id as number;
  };
  const zone = (account: Account, timeZone: string) =>
    server.repo.advisors.setPreferences(account.record.id, { timeZone });
  /** The claim a process leaves when it dies after claiming a digest, or while another process is sending it. */
  const leaveClaim = (account: Account, localDate: string) =>
    server.rows(
      "INSERT INTO alert_deliveries (kind, recipient_id, local_date, status, claimed_at) VALUES ('digest', ?, ?, 'claimed', ?)",
      account.record.id,
      localDate,
      server.clock.now().toISOString(),
    );

  /** `npm run admin` as its own process, on this database. */
  const admin = (env: Record<string, string>, ...args: string[]) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/cli/admin.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...server.storageEnv, LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      child.on('close', (code) => resolve({ code, stdout, stderr })),
    );
  };

  beforeEach(async () => {
    smtp = await startSmtp();
    server = await startTestServer({
      SMTP_URL: smtp.url,
      ALERTS_FROM: 'Regarding <alerts@firm.example>',
      PUBLIC_ORIGIN: ORIGIN,
    });
    alerts = contextOn(server.repo);
  });
  afterEach(async () => {
    alerts.mailer.close();
    await server.close();
    await smtp.close();
  });

  describe('daily digest', () => {
    it('sends an advisor their own exceptions and a manager their team grouped by advisor, in HTML and text with topic, customer, reasons and link', async () => {
      const mona = await server.advisor('Mona Manager', 'manager');
      const adam = await server.advisor('Adam Advisor');
      const bea = await server.advisor('Bea Banker');
      await server.repo.teams.create('North', [mona.record.id, adam.record.id, bea.record.id], null);
      const adamsId = await create(adam, 'Pension <review> & "co"');
      const beasId = await create(bea, 'Mortgage refinance');
      await create(mona, 'Mona own deal');

      const outcomes = await runDigests(alerts);
      assert.deepEqual(
        outcomes.map((o) => [o.email, o.status]),
        [
          [mona.record.email, 'sent'],
          [adam.record.email, 'sent'],
          [bea.record.email, 'sent'],
        ],
      );
      assert.equal(smtp.received.length, 3);

      const [toAdam] = smtp.to(adam.record.email);
      const { html, text, subject } = toAdam.mail;
      assert.equal(toAdam.mail.from?.value[0].address, 'alerts@firm.example');
      assert.match(subject!, /1 opportunity needs attention \(2026-11-18\)/);
      assert.ok(typeof html === 'string');
      assert.ok(html.includes('Pension &lt;review&gt; &amp; &quot;co&quot;'), 'the topic, escaped');
      assert.ok(!html.includes('<review>'), 'nothing from data reaches the HTML unescaped');
      assert.ok(html.includes(`href="${ORIGIN}/taskpane.html?opportunity=${adamsId}"`));
      assert.ok(html.includes('No next step planned'));
      assert.ok(html.includes('pensionreviewco'), 'the customer');
      assert.match(html, /max-width:600px/);
      assert.ok(!html.includes('Mortgage refinance'), "an advisor's digest has only their own");
      assert.ok(text!.includes('Pension <review> & "co"'));
      assert.ok(text!.includes('No next step planned'));
      assert.ok(text!.includes(`${ORIGIN}/taskpane.html?opportunity=${adamsId}`));

      const [toMona] = smtp.to(mona.record.email);
      const monaText = toMona.mail.text!;
      const order = [
        'Yours (Mona Manager)',
        'Mona own deal',
        'Adam Advisor',
        'Pension <review>',
        'Bea Banker',
        'Mortgage refinance',
      ];
      const positions = order.map((part) => monaText.indexOf(part));
      assert.ok(
        positions.every((p) => p >= 0),
        `every part is in the text:\n${monaText}`,
      );
      assert.deepEqual(
        [...positions].sort((a, b) => a - b),
        positions,
        'own section first, then each advisor by name',
      );
      assert.ok((toMona.mail.html as string).includes(`${ORIGIN}/taskpane.html?opportunity=${beasId}`));
      assert.match(toMona.mail.subject!, /3 opportunities need attention/);
    });

    it("is due at DIGEST_HOUR in each advisor's own time zone", async () => {
      const paula = await server.advisor('Paula Paris');
      const ned = await server.advisor('Ned NewYork');
      await zone(paula, 'Europe/Paris');
      await zone(ned, 'America/New_York');
      await create(paula, 'Paris deal');
      await create(ned, 'New York deal');

      server.clock.set('2026-11-18T05:59:00.000Z'); // 06:59 in Paris, 00:59 in New York
      await runDigests(alerts);
      assert.equal(smtp.received.length, 0);
      server.clock.set('2026-11-18T06:00:00.000Z'); // 07:00 in Paris
      await runDigests(alerts);
      assert.deepEqual(
        smtp.received.map((r) => r.to),
        [[paula.record.email]],
      );
      server.clock.set('2026-11-18T11:59:00.000Z'); // 06:59 in New York
      await runDigests(alerts);
      assert.equal(smtp.received.length, 1);
      server.clock.set('2026-11-18T12:00:00.000Z'); // 07:00 in New York
      await runDigests(alerts);
      assert.deepEqual(
        smtp.received.map((r) => r.to),
        [[paula.record.email], [ned.record.email]],
      );
    });

    it('sends exactly one digest per advisor per local day across a restart (a second runner on the same database file)', async () => {
      const adam = await server.advisor('Adam Advisor');
      await create(adam, 'Only once');
      await runDigests(alerts);
      server.clock.advance(3 * 3_600_000);
      const restarted = contextOn(reopened());
      try {
        const outcomes = await runDigests(restarted);
        assert.deepEqual(
          outcomes.map((o) => o.status),
          ['already-recorded'],
        );
        // Both at the same moment, as two processes would, on the next local day: still one.
        server.clock.set('2026-11-19T08:00:00.000Z');
        await Promise.all([runDigests(alerts), runDigests(restarted)]);
      } finally {
        restarted.mailer.close();
      }
      assert.deepEqual(
        smtp.to(adam.record.email).map((r) => r.mail.subject),
        ['1 opportunity needs attention (2026-11-18)', '1 opportunity needs attention (2026-11-19)'],
      );
    });

    it('sends a digest missed while the server was down on restart the same local day, and never on a later day', async () => {
      const paula = await server.advisor('Paula Paris');
      await zone(paula, 'Europe/Paris');
      await create(paula, 'Missed deal');
      server.clock.set('2026-11-18T05:30:00.000Z'); // 06:30 in Paris: not yet; then the server is down until 15:00
      await runDigests(alerts);
      assert.equal(smtp.received.length, 0);

      server.clock.set('2026-11-18T14:00:00.000Z');
      const restarted = contextOn(reopened());
      try {
        await runDigests(restarted);
        assert.deepEqual(
          smtp.received.map((r) => r.mail.subject),
          ['1 opportunity needs attention (2026-11-18)'],
        );
        // Down all of Thursday the 19th; up on Friday before the hour: Thursday's is not sent late.
        server.clock.set('2026-11-20T05:00:00.000Z');
        const outcomes = await runDigests(restarted);
        assert.deepEqual(
          outcomes.map((o) => [o.localDate, o.status]),
          [['2026-11-20', 'not-due']],
        );
        server.clock.set('2026-11-20T06:00:00.000Z');
        await runDigests(restarted);
      } finally {
        restarted.mailer.close();
      }
      assert.deepEqual(
        smtp.received.map((r) => r.mail.subject),
        ['1 opportunity needs attention (2026-11-18)', '1 opportunity needs attention (2026-11-20)'],
      );
      const days = await server.rows<{ local_date: string }>(
        "SELECT local_date FROM alert_deliveries WHERE kind = 'digest' ORDER BY local_date",
      );
      assert.deepEqual(
        days.map((day) => day.local_date),
        ['2026-11-18', '2026-11-20'],
      );
    });

    it('sends nothing to an advisor who opted out (PATCH /me/preferences digestOptOut), while their manager still gets theirs', async () => {
      const mona = await server.advisor('Mona Manager', 'manager');
      const olga = await server.advisor('Olga Optout');
      await server.repo.teams.create('North', [mona.record.id, olga.record.id], null);
      await create(olga, 'Opted out deal');
      const res = await olga.api.patch('/api/v1/me/preferences', { digestOptOut: true });
      assert.equal(res.status, 200, JSON.stringify(res.body));

      const outcomes = await runDigests(alerts);
      assert.deepEqual(outcomes.find((o) => o.email === olga.record.email)?.status, 'opted-out');
      assert.deepEqual(
        smtp.received.map((r) => r.to),
        [[mona.record.email]],
      );
      assert.ok(
        smtp.received[0].mail.text!.includes('Opted out deal'),
        "the manager's digest still lists her exceptions",
      );
    });

    it('sends nothing when there are no exceptions, and no second digest that day when one appears later', async () => {
      const adam = await server.advisor('Adam Advisor');
      const outcomes = await runDigests(alerts);
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['nothing-to-send'],
      );
      await create(adam, 'Appears later');
      server.clock.advance(3_600_000);
      await runDigests(alerts);
      assert.equal(smtp.received.length, 0);
      server.clock.set('2026-11-19T10:00:00.000Z');
      await runDigests(alerts);
      assert.equal(smtp.received.length, 1, 'the next day it is sent');
    });

    it('gives the claim up when the SMTP server refuses, so the next run sends that day', async () => {
      await smtp.close();
      smtp = await startSmtp({ refuseNext: 1 });
      alerts.mailer.close();
      server.config.alerts.smtp!.url = smtp.url;
      alerts = contextOn(server.repo);
      const adam = await server.advisor('Adam Advisor');
      await create(adam, 'Retry me');
      assert.deepEqual(
        (await runDigests(alerts)).map((o) => o.status),
        ['failed'],
      );
      assert.equal(await server.value('SELECT count(*) FROM alert_deliveries'), 0);
      server.clock.advance(5 * 60_000);
      assert.deepEqual(
        (await runDigests(alerts)).map((o) => o.status),
        ['sent'],
      );
      assert.equal(smtp.to(adam.record.email).length, 1);
    });
    it('never sends again on a claim left behind by a process that died (its email may have gone out), however old', async () => {
      const adam = await server.advisor('Adam Advisor');
      await create(adam, 'Claimed then crashed');
      // What a process leaves when it dies after its claim, during or after its send.
      await leaveClaim(adam, '2026-11-18');
      server.clock.advance(9 * 60_000);
      assert.deepEqual(
        (await runDigests(alerts)).map((o) => o.status),
        ['already-recorded'],
      );
      server.clock.advance(6 * 3_600_000);
      assert.deepEqual(
        (await runDigests(alerts)).map((o) => o.status),
        ['already-recorded'],
        'an old claim is not taken over either',
      );
      assert.equal(smtp.received.length, 0);
      server.clock.set('2026-11-19T10:00:00.000Z');
      await runDigests(alerts);
      assert.equal(smtp.to(adam.record.email).length, 1, 'the next day has its own digest');
    });

    itOnSqlite(
      'retries recording a sent digest while the write lock is held elsewhere, and never sends it again',
      async () => {
        const adam = await server.advisor('Adam Advisor');
        await create(adam, 'Recorded late');
        const interleaver = new Interleaver();
        const runner = contextOn(interleaver.wrap(reopened({ writeWaitMs: 50 })));
        const lock = new Database(server.config.databaseFile);
        try {
          const first = interleaver.pauseNext('alertDeliveries', 'finish');
          const run = runDigests(runner);
          await first.reached;
          assert.equal(smtp.to(adam.record.email).length, 1, 'sent before it is recorded');
          lock.exec('BEGIN IMMEDIATE'); // another process holds the write lock
          const second = interleaver.pauseNext('alertDeliveries', 'finish');
          first.release();
          await second.reached; // the first try failed on the lock
          assert.equal(server.db.prepare('SELECT status FROM alert_deliveries').pluck().get(), 'claimed');
          lock.exec('COMMIT');
          second.release();
          assert.deepEqual(
            (await run).map((o) => o.status),
            ['sent'],
          );
        } finally {
          if (lock.inTransaction) lock.exec('ROLLBACK');
          lock.close();
          runner.mailer.close();
        }
        assert.equal(server.db.prepare('SELECT status FROM alert_deliveries').pluck().get(), 'sent');
        server.clock.advance(ABANDONED_CLAIM_MS + 60_000);
        await runDigests(alerts);
        assert.equal(smtp.to(adam.record.email).length, 1);
      },
    );

    itOnSqlite(
      'keeps the claim of a sent digest that could not be recorded, so no later run sends it again',
      async () => {
        const adam = await server.advisor('Adam Advisor');
        await create(adam, 'Never recorded');
        const interleaver = new Interleaver();
        const runner = contextOn(interleaver.wrap(reopened({ writeWaitMs: 50 })));
        const lock = new Database(server.config.databaseFile);
        try {
          const first = interleaver.pauseNext('alertDeliveries', 'finish');
          const run = runDigests(runner);
          await first.reached;
          lock.exec('BEGIN IMMEDIATE'); // held through every retry
          first.release();
          assert.deepEqual(
            (await run).map((o) => o.status),
            ['sent'],
          );
          lock.exec('COMMIT');
        } finally {
          if (lock.inTransaction) lock.exec('ROLLBACK');
          lock.close();
          runner.mailer.close();
        }
        assert.equal(server.db.prepare('SELECT status FROM alert_deliveries').pluck().get(), 'claimed', 'not released');
        for (const later of [5 * 60_000, ABANDONED_CLAIM_MS + 60_000]) {
          server.clock.advance(later);
          assert.deepEqual(
            (await runDigests(alerts)).map((o) => o.status),
            ['already-recorded'],
          );
        }
        assert.equal(smtp.to(adam.record.email).length, 1);
      },
    );

    it('gives the claim up when the SMTP server hangs on DATA (the send times out), and sends that day once on the next run', async () => {
      for (const timeout of Object.values(SMTP_TIMEOUTS)) assert.ok(timeout <= ABANDONED_CLAIM_MS / 5);
      const hung = await startSmtp({ hangOnData: true });
      const timeouts = { connectionTimeout: 1000, greetingTimeout: 1000, socketTimeout: 500 };
      const stuck = alertContext({
        config: server.config,
        repo: server.repo,
        clock: server.clock,
        logger: silent,
        origin: ORIGIN,
        mailer: smtpMailer({ url: hung.url, from: 'alerts@firm.example' }, timeouts),
      })!;
      const adam = await server.advisor('Adam Advisor');
      await create(adam, 'Hung server');
      try {
        assert.deepEqual(
          (await runDigests(stuck)).map((o) => o.status),
          ['failed'],
        );
        assert.equal(hung.dataStarted(), 1, 'the message reached DATA and was never answered');
        assert.equal(await server.value('SELECT count(*) FROM alert_deliveries'), 0, 'claim released');
      } finally {
        stuck.mailer.close();
        await hung.close();
      }
      server.clock.advance(5 * 60_000);
      assert.deepEqual(
        (await runDigests(alerts)).map((o) => o.status),
        ['sent'],
      );
      await runDigests(alerts);
      assert.equal(smtp.to(adam.record.email).length, 1);
      assert.equal(hung.received.length, 0);
    });

    it('send-now (force) does not take over a claim another process may still be sending on, only a finished or abandoned one', async () => {
      const adam = await server.advisor('Adam Advisor');
      const bea = await server.advisor('Bea Banker');
      await create(adam, 'Being sent elsewhere');
      await create(bea, 'Already sent');
      await runDigests(alerts, { email: bea.record.email });
      await leaveClaim(adam, '2026-11-18');
      server.clock.advance(9 * 60_000);
      const forced = await runDigests(alerts, { force: true });
      assert.deepEqual(
        forced.map((o) => [o.email, o.status]),
        [
          [adam.record.email, 'already-recorded'],
          [bea.record.email, 'sent'],
        ],
        'a recent claim is left to its process; a sent digest is sent again, as the operator asked',
      );
      assert.equal(smtp.to(adam.record.email).length, 0);
      assert.equal(smtp.to(bea.record.email).length, 2);
      server.clock.advance(2 * 60_000);
      assert.deepEqual(
        (await runDigests(alerts, { force: true, email: adam.record.email })).map((o) => o.status),
        ['sent'],
        'abandoned (older than 10 minutes): taken over',
      );
      assert.equal(smtp.to(adam.record.email).length, 1);
    });
  });

  describe('untouched referral alert', () => {
    it('reaches each manager of the team once per assignment, at the threshold, for advisors in two time zones; a manager is not alerted about their own', async () => {
      const rita = await server.advisor('Rita Referrer');
      const mona = await server.advisor('Mona Manager', 'manager');
      const max = await server.advisor('Max Manager', 'manager');
      const adam = await server.advisor('Adam Berlin');
      const nora = await server.advisor('Nora NewYork');
      await zone(adam, 'Europe/Berlin');
      await zone(nora, 'America/New_York');
      await zone(mona, 'Asia/Tokyo');
      await server.repo.teams.create('North', [mona.record.id, max.record.id, adam.record.id, nora.record.id], null);
      // Opting out of the digest does not stop these.
      await mona.api.patch('/api/v1/me/preferences', { digestOptOut: true });
      // Assigned on Wednesday 10:00 UTC: one business day later is Thursday 10:00 UTC in each of their zones.
      const forAdam = await create(rita, 'Berlin referral', { ownerId: adam.record.id });
      const forNora = await create(rita, 'New York referral', { ownerId: nora.record.id });
      const forMona = await create(rita, 'Referral to Mona', { ownerId: mona.record.id });

      server.clock.set('2026-11-19T09:59:00.000Z');
      assert.deepEqual(await runUntouchedAlerts(alerts), []);
      assert.equal(smtp.received.length, 0, 'just before the threshold: nothing');

      server.clock.set('2026-11-19T10:05:00.000Z');
      const outcomes = await runUntouchedAlerts(alerts);
      assert.deepEqual(
        outcomes.map((o) => [o.email, o.opportunityIds.sort((a, b) => a - b)]),
        [
          [mona.record.email, [forAdam, forNora]],
          [max.record.email, [forAdam, forNora, forMona].sort((a, b) => a - b)],
        ],
      );
      assert.equal(smtp.to(adam.record.email).length + smtp.to(nora.record.email).length, 0, 'owners get no alert');
      const [toMona] = smtp.to(mona.record.email);
      assert.match(toMona.mail.subject!, /^Untouched opportunities: /);
      const text = toMona.mail.text!;
      assert.ok(text.startsWith('2 assigned opportunities were not touched in time'), text);
      assert.doesNotMatch(text.split('\n\n')[1], /referral/i, 'the introduction is true of every assigned opportunity');
      for (const part of [
        'Adam Berlin',
        'Berlin referral',
        'Nora NewYork',
        'New York referral',
        'Not touched since it was assigned on 2026-11-18',
      ])
        assert.ok(text.includes(part), `${part} in:\n${text}`);
      assert.ok(!text.includes('Referral to Mona'), 'not about herself');
      assert.ok((toMona.mail.html as string).includes(`${ORIGIN}/taskpane.html?opportunity=${forNora}`));

      server.clock.set('2026-11-19T10:20:00.000Z');
      assert.deepEqual(await runUntouchedAlerts(alerts), [], 'again later: nothing');
      server.clock.set('2026-11-20T10:20:00.000Z');
      assert.deepEqual(await runUntouchedAlerts(alerts), []);
      assert.equal(smtp.received.length, 2);
    });

    it("alerts at the threshold counted in each owner's zone, a firm holiday pushing it a business day", async () => {
      const admin = await server.advisor('Ada Admin', 'admin');
      const mona = await server.advisor('Mona Manager', 'manager');
      const kiri = await server.advisor('Kiri Auckland');
      const nora = await server.advisor('Nora NewYork');
      await zone(kiri, 'Pacific/Auckland');
      await zone(nora, 'America/New_York');
      await server.repo.teams.create('Both', [mona.record.id, kiri.record.id, nora.record.id], null);
      const holiday = await admin.api.post('/api/v1/holidays', { date: '2026-11-23', name: 'Firm day' });
      assert.equal(holiday.status, 201, JSON.stringify(holiday.body));
      // Friday 2026-11-20 22:00 UTC: Saturday 11:00 in Auckland (counting starts at its next business day,
      // Tuesday after the Monday holiday), Friday 17:00 in New York (one business day on is Tuesday 17:00).
      server.clock.set('2026-11-20T22:00:00.000Z');
      const forKiri = await create(mona, 'Auckland referral', { ownerId: kiri.record.id });
      const forNora = await create(mona, 'New York referral', { ownerId: nora.record.id });

      // Without the holiday both would have crossed by now (Auckland Monday 11:00 UTC, New York Monday 22:00 UTC).
      server.clock.set('2026-11-23T23:00:00.000Z');
      assert.deepEqual(await runUntouchedAlerts(alerts), [], 'the holiday is no business day');

      server.clock.set('2026-11-24T10:59:00.000Z');
      assert.deepEqual(await runUntouchedAlerts(alerts), [], 'just before Wednesday 00:00 in Auckland');
      server.clock.set('2026-11-24T11:04:00.000Z');
      const auckland = await runUntouchedAlerts(alerts);
      assert.deepEqual(
        auckland.map((o) => [o.email, o.opportunityIds]),
        [[mona.record.email, [forKiri]]],
      );

      server.clock.set('2026-11-24T21:59:00.000Z');
      assert.deepEqual(await runUntouchedAlerts(alerts), [], 'just before Tuesday 17:00 in New York');
      server.clock.set('2026-11-24T22:04:00.000Z');
      const newYork = await runUntouchedAlerts(alerts);
      assert.deepEqual(
        newYork.map((o) => [o.email, o.opportunityIds]),
        [[mona.record.email, [forNora]]],
      );
      assert.equal(smtp.to(mona.record.email).length, 2);
    });

    it('alerts only crossings of the last day: an older backlog is left to the digests', async () => {
      const mona = await server.advisor('Mona Manager', 'manager');
      const adam = await server.advisor('Adam Advisor');
      await server.repo.teams.create('North', [mona.record.id, adam.record.id], null);
      const old = await create(mona, 'Long untouched', { ownerId: adam.record.id });
      // Crossed Thursday 10:00 UTC; alerts are first switched on Monday.
      server.clock.set('2026-11-23T09:00:00.000Z');
      const fresh = await create(mona, 'Just assigned', { ownerId: adam.record.id });
      server.clock.set('2026-11-24T09:05:00.000Z');
      const outcomes = await runUntouchedAlerts(alerts);
      assert.deepEqual(
        outcomes.map((o) => [o.email, o.opportunityIds]),
        [[mona.record.email, [fresh]]],
      );
      assert.ok(!smtp.to(mona.record.email)[0].mail.text!.includes('Long untouched'), `${old} not alerted`);
    });

    it('alerts again after the referral is reassigned and the new assignment goes untouched', async () => {
      const mona = await server.advisor('Mona Manager', 'manager');
      const adam = await server.advisor('Adam Advisor');
      const bea = await server.advisor('Bea Banker');
      await server.repo.teams.create('North', [mona.record.id, adam.record.id, bea.record.id], null);
      const id = await create(mona, 'Passed around', { ownerId: adam.record.id });
      server.clock.set('2026-11-19T10:05:00.000Z');
      await runUntouchedAlerts(alerts);
      const opportunity = await mona.api.get(`/api/v1/opportunities/${id}`);
      const moved = await mona.api.post(`/api/v1/opportunities/${id}/assign`, {
        ownerId: bea.record.id,
        expectedVersion: opportunity.body.version,
      });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      server.clock.set('2026-11-20T10:06:00.000Z');
      await runUntouchedAlerts(alerts);
      assert.equal(smtp.to(mona.record.email).length, 2);
    });
    itOnSqlite(
      'keeps the claims of a sent alert that could not be recorded, so the manager is not alerted twice',
      async () => {
        const mona = await server.advisor('Mona Manager', 'manager');
        const adam = await server.advisor('Adam Advisor');
        await server.repo.teams.create('North', [mona.record.id, adam.record.id], null);
        await create(mona, 'Alerted once', { ownerId: adam.record.id });
        server.clock.set('2026-11-19T10:05:00.000Z');
        const interleaver = new Interleaver();
        const runner = contextOn(interleaver.wrap(reopened({ writeWaitMs: 50 })));
        const lock = new Database(server.config.databaseFile);
        try {
          const first = interleaver.pauseNext('alertDeliveries', 'finish');
          const run = runUntouchedAlerts(runner);
          await first.reached;
          lock.exec('BEGIN IMMEDIATE');
          first.release();
          assert.deepEqual(
            (await run).map((o) => o.status),
            ['sent'],
          );
          lock.exec('COMMIT');
        } finally {
          if (lock.inTransaction) lock.exec('ROLLBACK');
          lock.close();
          runner.mailer.close();
        }
        assert.equal(server.db.prepare('SELECT status FROM alert_deliveries').pluck().get(), 'claimed');
        for (const later of [5 * 60_000, ABANDONED_CLAIM_MS + 60_000]) {
          server.clock.advance(later);
          assert.deepEqual(await runUntouchedAlerts(alerts), []);
        }
        assert.equal(smtp.to(mona.record.email).length, 1);
      },
    );
  });

  describe('configuration', () => {
    it('sends nothing at all when SMTP_URL is unset: no runners, and the server says so once', async () => {
      const config = loadConfig(server.storageEnv);
      assert.equal(config.alerts.smtp, undefined);
      assert.equal(
        alertContext({ config, repo: server.repo, clock: server.clock, logger: silent, origin: ORIGIN }),
        null,
      );
      const adam = await server.advisor('Adam Advisor');
      await create(adam, 'Would be in a digest');
      // A digest is due at once and the sender is set: only SMTP_URL is missing.
      const child = await startChildServer({
        ...server.storageEnv,
        TLS: 'off',
        LOG_LEVEL: 'info',
        ALERTS_FROM: 'alerts@firm.example',
        DIGEST_HOUR: '0',
        ALERT_CHECK_MINUTES: '1',
      });
      try {
        await waitForOutput(child, /SMTP_URL is not set: no email alerts are sent/);
        // A round runs at start-up and logs when it ends (or fails): give it well over the time one takes.
        await assert.rejects(waitForOutput(child, /alerts checked|alerts round failed|not sent; will retry/, 5_000));
        assert.equal(child.output().match(/SMTP_URL is not set/g)?.length, 1, 'said once');
      } finally {
        child.child.kill('SIGTERM');
        await child.exited;
      }
      assert.equal(await server.value('SELECT count(*) FROM alert_deliveries'), 0, 'nothing claimed');
    });

    it('refuses to start with SMTP_URL but no PUBLIC_ORIGIN (links would point to localhost), naming PUBLIC_ORIGIN; the admin command line likewise', async () => {
      const env = { SMTP_URL: smtp.url, ALERTS_FROM: 'alerts@firm.example' };
      assert.throws(() => loadConfig(env), /SMTP_URL is set, so PUBLIC_ORIGIN .*is required/);
      await assert.rejects(
        startChildServer({ ...server.storageEnv, TLS: 'off', ...env }),
        /exited \(1\) before listening:[\s\S]*SMTP_URL is set, so PUBLIC_ORIGIN/,
      );
      const cli = await admin(env, 'alerts', 'send-now');
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, /SMTP_URL is set, so PUBLIC_ORIGIN .*is required/);
      assert.equal(smtp.received.length, 0);
    });

    it('refuses to start with SMTP_URL but no ALERTS_FROM, a DIGEST_HOUR outside 0-23 or an ALERT_CHECK_MINUTES outside 1-15, without echoing the credentials', () => {
      assert.throws(
        () => loadConfig({ SMTP_URL: 'smtp://user:s3cret@mail.example:587' }),
        (error: Error) => /ALERTS_FROM .*is required/.test(error.message) && !error.message.includes('s3cret'),
      );
      assert.throws(() => loadConfig({ DIGEST_HOUR: '24' }), /DIGEST_HOUR/);
      assert.throws(() => loadConfig({ ALERT_CHECK_MINUTES: '16' }), /ALERT_CHECK_MINUTES/);
      assert.throws(() => loadConfig({ ALERT_CHECK_MINUTES: '0' }), /ALERT_CHECK_MINUTES/);
      const config = loadConfig({
        SMTP_URL: 'smtp://mail.example:587',
        ALERTS_FROM: 'alerts@firm.example',
        PUBLIC_ORIGIN: ORIGIN,
      });
      assert.deepEqual(config.alerts, {
        smtp: { url: 'smtp://mail.example:587', from: 'alerts@firm.example' },
        digestHour: 7,
        checkMinutes: 5,
      });
    });
  });

  describe('digest opt-out preference', () => {
    it('PATCH /me/preferences digestOptOut is kept and shown in GET /me, and can be undone', async () => {
      const adam = await server.advisor('Adam Advisor');
      assert.equal((await adam.api.get('/api/v1/me')).body.digestOptOut, false);
      const optedOut = await adam.api.patch('/api/v1/me/preferences', { digestOptOut: true });
      assert.equal(optedOut.status, 200);
      assert.equal(optedOut.body.digestOptOut, true);
      assert.equal((await adam.api.get('/api/v1/me')).body.digestOptOut, true);
      assert.equal((await adam.api.patch('/api/v1/me/preferences', { digestOptOut: false })).status, 200);
      assert.equal((await adam.api.get('/api/v1/me')).body.digestOptOut, false);
    });

    it('PATCH /me/preferences refuses a digestOptOut that is not true or false with problem+json naming the field', async () => {
      const adam = await server.advisor('Adam Advisor');
      const res = await adam.api.patch('/api/v1/me/preferences', { digestOptOut: 'yes' });
      assert.equal(res.status, 400);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.deepEqual(
        res.body.errors.map((e: { path: string }) => e.path),
        ['body.digestOptOut'],
      );
      assert.equal((await adam.api.get('/api/v1/me')).body.digestOptOut, false);
    });
  });

  describe('two server processes on one database', function () {
    this.timeout(90_000);
    it('send exactly one digest per recipient when both find it due at once', async () => {
      server.clock.set(new Date()); // the processes run on the real clock
      const mona = await server.advisor('Mona Manager', 'manager');
      const adam = await server.advisor('Adam Advisor');
      await server.repo.teams.create('North', [mona.record.id, adam.record.id], null);
      await create(adam, 'Two processes deal');
      const env = {
        ...server.storageEnv,
        TLS: 'off',
        LOG_LEVEL: 'info',
        WRITE_WAIT_MS: '5000',
        SMTP_URL: smtp.url,
        ALERTS_FROM: 'alerts@firm.example',
        PUBLIC_ORIGIN: ORIGIN,
        DIGEST_HOUR: '0',
      };
      const children: ChildServer[] = await Promise.all([startChildServer(env), startChildServer(env)]);
      try {
        await Promise.all(children.map((child) => waitForOutput(child, /alerts checked/, 30_000)));
      } finally {
        for (const child of children) child.child.kill('SIGTERM');
        await Promise.all(children.map((child) => child.exited));
      }
      const digests = smtp.received.filter((r) => /needs? attention/.test(r.mail.subject ?? ''));
      assert.deepEqual(digests.map((r) => r.to).sort(), [[adam.record.email], [mona.record.email]].sort());
      assert.equal(smtp.received.length, 2, smtp.received.map((r) => r.mail.subject).join('; '));
      for (const digest of digests) assert.ok(digest.mail.text!.includes(`${ORIGIN}/taskpane.html?opportunity=`));
    });
  });

  describe('admin command line', () => {
    it('alerts send-now sends the digest at once to one advisor, prints it, records it; without SMTP_URL it refuses', async () => {
      const adam = await server.advisor('Adam Advisor');
      const bea = await server.advisor('Bea Banker');
      await create(adam, 'Send now deal');
      await create(bea, 'Not asked for');

      const refused = await admin({}, 'alerts', 'send-now');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /SMTP_URL is not set/);
      assert.equal(smtp.received.length, 0);

      const sent = await admin(
        { SMTP_URL: smtp.url, ALERTS_FROM: 'alerts@firm.example', DIGEST_HOUR: '23', PUBLIC_ORIGIN: ORIGIN },
        'alerts',
        'send-now',
        '--email',
        adam.record.email,
      );
      assert.equal(sent.code, 0, sent.stderr);
      assert.match(
        sent.stdout,
        new RegExp(`${adam.record.email.replace(/\./g, '\\.')}\\s+\\d{4}-\\d{2}-\\d{2}\\s+sent \\(1 opportunities\\)`),
      );
      assert.doesNotMatch(sent.stdout, /bea/);
      assert.deepEqual(
        smtp.received.map((r) => r.to),
        [[adam.record.email]],
      );
      assert.ok(smtp.received[0].mail.text!.includes('Send now deal'));
      const rows = await server.rows('SELECT recipient_id, status FROM alert_deliveries');
      assert.deepEqual(rows, [{ recipient_id: adam.record.id, status: 'sent' }]);
    });
  });
});
