import assert from 'node:assert/strict';
import { request } from 'node:http';
import zlib from 'node:zlib';
import { referral, startTestServer, type TestServer } from '../helpers/test-server';

/** One raw GET, so the test sees the encoding and headers as sent (fetch would decode them). */
function get(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>(
    (resolve, reject) => {
      request(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    },
  );
}

/** The compression middleware's threshold (its default): smaller answers would gain less than the headers cost. */
const COMPRESS_MIN_BYTES = 1024;

describe('API answers: compressed over 1 KB, as the client accepts (issue 15: the fixed cost of an answer)', () => {
  let server: TestServer;
  let token: string;
  /** A type-ahead answer of ten opportunities with long topics: a few KB. */
  const LOOKUP = '/api/v1/opportunities/lookup?view=my-open&limit=10&q=rollover';

  before(async () => {
    server = await startTestServer();
    const alex = await server.advisor('Alex Morgan');
    token = alex.token;
    for (let i = 0; i < 10; i++) {
      const created = await alex.api.post(
        '/api/v1/opportunities',
        referral(
          `Rollover ${i}: ${'consolidate the retirement accounts and review the beneficiaries '.repeat(4)}`,
          `client${i}@example.org`,
        ),
      );
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
  });
  after(() => server.close());

  const as = (headers: Record<string, string>) => ({ authorization: `Bearer ${token}`, ...headers });

  it('answer compression: an answer over 1 KB is br when accepted, else gzip, with Vary, and the same JSON', async () => {
    const plain = await get(`${server.url}${LOOKUP}`, as({}));
    assert.equal(plain.status, 200, plain.body.toString());
    assert.equal(plain.headers['content-encoding'], undefined, 'no Accept-Encoding: sent as it is');
    const json = JSON.parse(plain.body.toString()) as { items: unknown[] };
    assert.equal(json.items.length, 10);
    assert.ok(plain.body.length >= COMPRESS_MIN_BYTES, `${plain.body.length} bytes`);

    const br = await get(`${server.url}${LOOKUP}`, as({ 'Accept-Encoding': 'gzip, deflate, br, zstd' }));
    assert.equal(br.headers['content-encoding'], 'br');
    assert.match(String(br.headers.vary), /Accept-Encoding/);
    assert.equal(br.headers['cache-control'], 'no-store');
    assert.deepEqual(JSON.parse(zlib.brotliDecompressSync(br.body).toString()), json);
    assert.ok(br.body.length < plain.body.length / 3, `${br.body.length} of ${plain.body.length} bytes`);

    const gzip = await get(`${server.url}${LOOKUP}`, as({ 'Accept-Encoding': 'gzip, br;q=0' }));
    assert.equal(gzip.headers['content-encoding'], 'gzip');
    assert.deepEqual(JSON.parse(zlib.gunzipSync(gzip.body).toString()), json);

    const refused = await get(`${server.url}${LOOKUP}`, as({ 'Accept-Encoding': 'br;q=0, gzip;q=0' }));
    assert.equal(refused.headers['content-encoding'], undefined);
    assert.deepEqual(JSON.parse(refused.body.toString()), json);
  });

  it('answer compression: API answers at brotli quality 1 (compressed on every request), not the files’ 4', async () => {
    const plain = await get(`${server.url}${LOOKUP}`, as({}));
    const br = await get(`${server.url}${LOOKUP}`, as({ 'Accept-Encoding': 'br' }));
    assert.equal(br.headers['content-encoding'], 'br');
    // The middleware compresses the answer in one write, as the one-shot encoder does: the same bytes.
    const at = (quality: number) =>
      zlib.brotliCompressSync(plain.body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: quality } });
    assert.notDeepEqual(at(1), at(4), 'the two levels differ on this answer');
    assert.deepEqual(br.body, at(1));
  });

  it('answer compression: an answer under 1 KB, and a problem+json refusal, are sent uncompressed', async () => {
    const config = await get(`${server.url}/api/v1/auth/config`, { 'Accept-Encoding': 'br, gzip' });
    assert.equal(config.status, 200);
    assert.ok(config.body.length < COMPRESS_MIN_BYTES);
    assert.equal(config.headers['content-encoding'], undefined);
    assert.equal(Number(config.headers['content-length']), config.body.length);
    const refused = await get(`${server.url}${LOOKUP}`, { 'Accept-Encoding': 'br, gzip' });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers['content-encoding'], undefined);
    assert.match(refused.headers['content-type'] as string, /^application\/problem\+json/);
  });
});
