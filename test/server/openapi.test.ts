import assert from 'node:assert/strict';
import { endpoints } from '../../shared/api';
import { startTestServer, type TestServer } from '../helpers/test-server';

describe('OpenAPI document', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('describes every endpoint of the shared contract, with resolvable references', async () => {
    const res = await server.client.get('/api/v1/openapi.json');
    assert.equal(res.status, 200);
    const doc = res.body;
    assert.equal(doc.openapi, '3.1.0');
    for (const [name, endpoint] of Object.entries(endpoints)) {
      const path = `/api/v1${endpoint.path.replace(/:(\w+)/g, '{$1}')}`;
      const operation = doc.paths[path]?.[endpoint.method];
      assert.ok(operation, `${name}: ${endpoint.method} ${path} is missing`);
      assert.equal(operation.operationId, name);
      assert.ok(operation.responses[endpoint.status], `${name}: success status ${endpoint.status}`);
      assert.ok(operation.responses[401], `${name}: 401 documented`);
    }
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    assert.ok(refs.length > 20);
    for (const ref of new Set(refs)) assert.ok(doc.components.schemas[ref], `unresolved $ref ${ref}`);
    assert.ok(!JSON.stringify(doc).includes('#/$defs/'), 'no JSON Schema-local refs remain');

    const create = doc.paths['/api/v1/opportunities'].post;
    const body = create.requestBody.content['application/json'].schema;
    const schema = body.$ref ? doc.components.schemas[body.$ref.split('/').pop()] : body;
    assert.ok(schema.required.includes('topic'));
    assert.ok(
      create.parameters.some((p: { name: string; in: string }) => p.name === 'Idempotency-Key' && p.in === 'header'),
    );
    const list = doc.paths['/api/v1/opportunities'].get;
    const view = list.parameters.find((p: { name: string }) => p.name === 'view');
    assert.deepEqual(view.schema.enum, ['my-open', 'team-open', 'all-open', 'recent', 'closed', 'team-closed']);
  });
});
