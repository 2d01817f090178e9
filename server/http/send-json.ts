import zlib from 'node:zlib';
import type { Response } from 'express';

/** Answers below this are sent as they are: compressing them saves less than the headers it adds. */
export const COMPRESS_MIN_BYTES = 1024;
/**
 * Answers up to this size are compressed here, at once, on the request's own thread; larger ones are left to the
 * compression middleware, which compresses them in streams on libuv's thread pool so the event loop is not held.
 */
export const COMPRESS_AT_ONCE_MAX_BYTES = 64 * 1024;
/** The quality the compression middleware uses for br (server/app.ts): the same bytes either way. */
export const BROTLI_QUALITY = 4;
const NO_TRANSFORM = /(?:^|,)\s*no-transform\s*(?:,|$)/i;

/**
 * br or gzip of a small answer, as the client accepts (br first, as the compression middleware prefers it). In one
 * call, with the body's size given to brotli and its window fitted to the body: a compression stream per answer
 * (the middleware's way) sets up a 4 MB brotli window for a 2 KB answer, measured at 280 µs of a pane context's
 * 1,000 on the benchmark machine.
 */
function compressed(res: Response, text: string, bytes: number): { encoding: string; body: Buffer } | undefined {
  const req = res.req;
  if (bytes < COMPRESS_MIN_BYTES || bytes > COMPRESS_AT_ONCE_MAX_BYTES || req.method === 'HEAD') return undefined;
  if (!req.headers['accept-encoding'] || NO_TRANSFORM.test(String(res.getHeader('Cache-Control') ?? ''))) return;
  if (req.acceptsEncodings('br') === 'br') {
    const window = Math.max(zlib.constants.BROTLI_MIN_WINDOW_BITS, Math.ceil(Math.log2(bytes)));
    const params = {
      [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes,
      [zlib.constants.BROTLI_PARAM_LGWIN]: window,
    };
    return { encoding: 'br', body: zlib.brotliCompressSync(text, { params }) };
  }
  if (req.acceptsEncodings('gzip') === 'gzip') return { encoding: 'gzip', body: zlib.gzipSync(text) };
  return undefined;
}

/**
 * Sends a JSON answer: every JSON answer of the server goes through here. It writes the text
 * directly instead of going through Express's generic `res.json`/`res.send` (content-type
 * negotiation, ETag and freshness checks, and a Buffer copy of any body over 1,000 characters,
 * which Node then writes apart from the headers): measured on the benchmark machine, that took
 * 30 to 40 µs of a type-ahead answer's 400. Node sends the headers and a string body in one write.
 */
export function sendJson(res: Response, status: number, body: unknown, type = 'application/json'): void {
  sendText(res, status, JSON.stringify(body), type);
}

/** Sends a text answer (JSON, or another media type such as a CSV download), compressed as above. */
export function sendText(res: Response, status: number, text: string, type: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', `${type}; charset=utf-8`);
  const bytes = Buffer.byteLength(text);
  const encoded = compressed(res, text, bytes);
  if (!encoded) {
    res.setHeader('Content-Length', bytes);
    res.end(text);
    return;
  }
  // The compression middleware sees Content-Encoding and leaves the answer alone; it still adds Vary.
  res.setHeader('Content-Encoding', encoded.encoding);
  res.setHeader('Content-Length', encoded.body.length);
  res.end(encoded.body);
}
