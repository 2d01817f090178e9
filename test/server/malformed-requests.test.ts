import assert from 'node:assert/strict';
import http from 'node:http';
import { startChildServer, waitForOutput, type ChildServer } from '../helpers/child-server';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** A raw request, so that a malformed path or a lying Content-Encoding reaches the server as sent. */
function rawRequest(
  url: string,
  options: { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; contentType: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, method: options.method, path: options.path, headers: options.headers });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, contentType: res.headers['content-type'] ?? '', body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('requests the server cannot read (issue 11, finding 7)', function () {
  this.timeout(60_000);
  let storage: TestServer;
  let server: ChildServer;
  before(async () => {
    // The test server's storage (a SQLite file, or a PostgreSQL database in the PostgreSQL pass), served by a process
    // of its own.
    storage = await startTestServer();
    server = await startChildServer({
      ...storage.storageEnv,
      TLS: 'off',
      DEMO_DATA: 'off',
      LOG_LEVEL: 'info',
    });
  });
  after(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    await storage.close();
  });

  it('finding 7: answers a malformed percent-encoding in a path id with 400 problem+json naming the path, before sign-in', async () => {
    const answer = await rawRequest(server.url, { method: 'GET', path: '/api/v1/opportunities/%' });
    assert.equal(answer.status, 400, answer.body);
    assert.match(answer.contentType, /application\/problem\+json/);
    const problem = JSON.parse(answer.body);
    assert.equal(problem.detail, 'A part of the address is not valid percent-encoding.');
    assert.deepEqual(
      problem.errors.map((e: { path: string }) => e.path),
      ['path'],
    );
  });

  it('finding 7: answers a body whose Content-Encoding does not match it with 400 problem+json naming the body', async () => {
    const answer = await rawRequest(server.url, {
      method: 'POST',
      path: '/api/v1/opportunities',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: '{"topic":"not compressed at all"}',
    });
    assert.equal(answer.status, 400, answer.body);
    assert.match(answer.contentType, /application\/problem\+json/);
    const problem = JSON.parse(answer.body);
    assert.deepEqual(
      problem.errors.map((e: { path: string }) => e.path),
      ['body'],
    );
  });

  it('finding 7: logs neither as an unexpected error, and logs no stack trace for them', async () => {
    await waitForOutput(server, /request refused[\s\S]*request refused/);
    const lines = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; err?: unknown; level: number });
    const refused = lines.filter((line) => line.msg === 'request refused');
    assert.equal(refused.length, 2, server.output());
    assert.ok(!lines.some((line) => line.msg === 'unexpected error'), server.output());
    assert.doesNotMatch(server.output(), /\n\s+at /, 'no stack trace in the log');
  });
});
