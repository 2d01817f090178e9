import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** Issue 15: an endpoint named exactly is dispatched without the router's walk; both ways must answer alike. */
describe('issue 15: endpoints dispatched by their exact path', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('issue 15: an exact path and the router (trailing slash, other case) give the same answers and refusals', async () => {
    const ada = await server.advisor('Ada');
    const exact = await ada.api.get('/api/v1/me');
    assert.equal(exact.status, 200);
    for (const path of ['/api/v1/me/', '/api/v1/ME'])
      assert.deepEqual(await ada.api.get(path).then((res) => [res.status, res.body]), [200, exact.body]);

    // Refusals: no token, a bad query, a change without a body, a method the endpoint lacks.
    for (const path of ['/api/v1/me', '/api/v1/Me']) {
      const refused = await server.client.get(path);
      assert.equal(refused.status, 401);
      assert.match(refused.headers.get('content-type') ?? '', /application\/problem\+json/);
    }
    for (const path of ['/api/v1/reports/stages?scope=nobody', '/api/v1/reports/stages/?scope=nobody']) {
      const bad = await ada.api.get(path);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].path, 'query.scope');
    }
    for (const path of ['/api/v1/opportunities', '/api/v1/opportunities/']) {
      const noBody = await ada.api.post(path, {});
      assert.equal(noBody.status, 400);
      assert.ok(noBody.body.errors.some((error: { path: string }) => error.path.startsWith('body.')));
    }
    for (const path of ['/api/v1/me', '/api/v1/me/']) {
      const missing = await ada.api.request('DELETE', path);
      assert.equal(missing.status, 404);
      assert.match(missing.headers.get('content-type') ?? '', /application\/problem\+json/);
    }
  });

  it('issue 15: the limit on changes counts and refuses exact paths and the router alike', async () => {
    const limited = await startTestServer({ RATE_LIMIT_WRITES: '2' });
    try {
      const cy = await limited.advisor('Cy');
      // Counted whichever way the change came; the third of the window is refused either way, with its headers.
      assert.equal((await cy.api.post('/api/v1/opportunities', {})).status, 400);
      assert.equal((await cy.api.post('/api/v1/opportunities/', {})).status, 400);
      for (const path of ['/api/v1/opportunities', '/api/v1/opportunities/']) {
        const refused = await cy.api.post(path, {});
        assert.equal(refused.status, 429, path);
        assert.ok(Number(refused.headers.get('retry-after')) > 0, path);
        assert.match(refused.headers.get('content-type') ?? '', /application\/problem\+json/);
      }
    } finally {
      await limited.close();
    }
  });

  it('issue 15: an error thrown by an exactly dispatched handler is answered as problem+json', async () => {
    const bea = await server.advisor('Bea');
    // An advisor may not read the firm's report: the service refuses (403) from inside the handler.
    const refused = await bea.api.get('/api/v1/reports/stages?scope=all');
    assert.equal(refused.status, 403);
    assert.match(refused.headers.get('content-type') ?? '', /application\/problem\+json/);
  });
});
