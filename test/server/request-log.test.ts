import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino, type Level } from 'pino';
import type { Repository } from '../../server/repository/repository';
import { startTestServer, type TestServer } from '../helpers/test-server';

interface Line {
  level: number;
  msg: string;
  req?: { id: string; method: string; url: string };
  res?: { statusCode: number };
  responseTime?: number;
  advisorId?: number;
  err?: { message: string; stack: string };
}

/** A server whose log lines are collected; `failTokens` makes the token lookup throw (an unexpected error). */
async function loggedServer(level: Level) {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  const failing = { on: false };
  const wrap = (repo: Repository): Repository =>
    new Proxy(repo, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (key !== 'tokens') return value;
        const tokens = value as Repository['tokens'];
        return new Proxy(tokens, {
          get(inner, name, innerReceiver) {
            const method = Reflect.get(inner, name, innerReceiver) as unknown;
            if (name !== 'findByHash' || typeof method !== 'function') return method;
            return (...args: unknown[]) => {
              if (failing.on) throw new Error('the disk is on fire');
              return (method as (...a: unknown[]) => unknown).apply(inner, args);
            };
          },
        });
      },
    });
  const server = await startTestServer({}, { logger: pino({ level }, sink), wrapRepository: wrap });
  return { server, lines, failing };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('request log (issue 15: the fixed cost of a signed-in answer)', () => {
  let server: TestServer;
  afterEach(() => server?.close());

  it('request log: one line per request with its id, method, path without the query, status, response time and the signed-in advisor', async () => {
    const logged = await loggedServer('info');
    server = logged.server;
    const alex = await server.advisor('Alex Morgan');
    const me = await fetch(`${server.url}/api/v1/me?typed=secret`, {
      headers: { authorization: `Bearer ${alex.token}`, 'x-request-id': 'trace-me-7' },
    });
    assert.equal(me.status, 200);
    assert.equal(me.headers.get('x-request-id'), 'trace-me-7');
    const anonymous = await fetch(`${server.url}/api/v1/auth/config`, { headers: { 'x-request-id': 'not a token!' } });
    const generated = anonymous.headers.get('x-request-id') ?? '';
    assert.match(
      generated,
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      'a given id that is not a plain token is replaced',
    );
    await settle();
    const completed = logged.lines.filter((line) => line.msg === 'request completed');
    assert.deepEqual(
      completed.map(({ level, req, res, advisorId, responseTime }) => ({
        level,
        req,
        res,
        advisorId,
        timed: typeof responseTime === 'number' && responseTime >= 0,
      })),
      [
        {
          level: 30,
          req: { id: 'trace-me-7', method: 'GET', url: '/api/v1/me' },
          res: { statusCode: 200 },
          advisorId: alex.record.id,
          timed: true,
        },
        {
          level: 30,
          req: { id: generated, method: 'GET', url: '/api/v1/auth/config' },
          res: { statusCode: 200 },
          advisorId: undefined,
          timed: true,
        },
      ],
    );
    assert.doesNotMatch(JSON.stringify(logged.lines), /secret/, 'the query is never logged');
  });

  it('request log: an unexpected error is logged with its stack from inside the request (requestLogger) and its request line is at error', async () => {
    const logged = await loggedServer('info');
    server = logged.server;
    const alex = await server.advisor('Alex Morgan');
    logged.failing.on = true;
    const broken = await fetch(`${server.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${alex.token}`, 'x-request-id': 'broken-1' },
    });
    assert.equal(broken.status, 500);
    const body = (await broken.json()) as { requestId: string; detail: string };
    assert.equal(body.requestId, 'broken-1');
    assert.doesNotMatch(body.detail, /fire/, 'the answer says nothing of the cause');
    await settle();
    const unexpected = logged.lines.find((line) => line.msg === 'unexpected error');
    assert.equal(unexpected?.level, 50);
    assert.deepEqual(unexpected?.req, { id: 'broken-1', method: 'GET', url: '/api/v1/me' });
    assert.match(unexpected?.err?.stack ?? '', /the disk is on fire/);
    const requestLine = logged.lines.find((line) => line.msg === 'request errored');
    assert.equal(requestLine?.level, 50);
    assert.deepEqual([requestLine?.req?.id, requestLine?.res?.statusCode], ['broken-1', 500]);
    assert.match(requestLine?.err?.message ?? '', /failed with status code 500/);
  });

  it('request log: below the logger’s level nothing is written for a request, and the request id is still answered', async () => {
    const logged = await loggedServer('warn');
    server = logged.server;
    const alex = await server.advisor('Alex Morgan');
    for (let i = 0; i < 3; i++) {
      const me = await fetch(`${server.url}/api/v1/me`, {
        headers: { authorization: `Bearer ${alex.token}`, 'x-request-id': `quiet-${i}` },
      });
      assert.equal(me.status, 200);
      assert.equal(me.headers.get('x-request-id'), `quiet-${i}`);
    }
    const refused = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: 'Bearer rgd_wrong' } });
    assert.equal(refused.status, 401, 'a refused sign-in is logged at debug, below warn');
    logged.failing.on = true;
    await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${alex.token}` } });
    await settle();
    assert.deepEqual(
      logged.lines.map((line) => [line.level, line.msg]),
      [
        [50, 'unexpected error'],
        [50, 'request errored'],
      ],
    );
  });
});
