import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'node:http';
import zlib from 'node:zlib';
import { startTestServer, type TestServer } from '../helpers/test-server';

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

describe('static files and API answers: compressed, and cached as long as they cannot change (issue 15)', () => {
  let server: TestServer;
  let dir: string;
  const script = `console.log(${JSON.stringify('Regarding '.repeat(500))});\n`;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'regarding-static-'));
    fs.writeFileSync(
      path.join(dir, 'taskpane.html'),
      `<!doctype html><title>Regarding</title>${'<p>pane</p>'.repeat(200)}`,
    );
    fs.writeFileSync(path.join(dir, 'taskpane.0a1b2c3d.js'), script);
    fs.writeFileSync(path.join(dir, 'icon-32.png'), Buffer.alloc(64));
    server = await startTestServer({}, { addinDir: dir });
  });
  afterEach(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends a hashed file with br when accepted, else gzip, kept for a year as immutable', async () => {
    const br = await get(`${server.url}/taskpane.0a1b2c3d.js`, { 'Accept-Encoding': 'br, gzip' });
    assert.equal(br.status, 200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(zlib.brotliDecompressSync(br.body).toString(), script);
    assert.ok(br.body.length < script.length / 5, `${br.body.length} bytes`);
    assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');

    const gzip = await get(`${server.url}/taskpane.0a1b2c3d.js`, { 'Accept-Encoding': 'gzip' });
    assert.equal(gzip.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(gzip.body).toString(), script);

    const plain = await get(`${server.url}/taskpane.0a1b2c3d.js`);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body.toString(), script);
  });

  it('revalidates pages (no-cache) and keeps unhashed files an hour, never as immutable', async () => {
    const html = await get(`${server.url}/taskpane.html`, { 'Accept-Encoding': 'gzip' });
    assert.equal(html.status, 200);
    assert.equal(html.headers['cache-control'], 'no-cache');
    assert.equal(html.headers['content-encoding'], 'gzip');
    const icon = await get(`${server.url}/icon-32.png`);
    assert.equal(icon.headers['cache-control'], 'public, max-age=3600');
  });

  it('compresses a large API answer and keeps it uncached', async () => {
    const answer = await get(`${server.url}/api/v1/openapi.json`, { 'Accept-Encoding': 'gzip' });
    assert.equal(answer.status, 200, answer.body.toString());
    assert.equal(answer.headers['content-encoding'], 'gzip');
    assert.equal(answer.headers['cache-control'], 'no-store');
    const document = zlib.gunzipSync(answer.body);
    assert.ok(answer.body.length < document.length / 4, `${answer.body.length} of ${document.length} bytes`);
    assert.match(JSON.parse(document.toString()).openapi, /^3\./);
  });
});
