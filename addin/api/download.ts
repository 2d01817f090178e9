import type { EndpointName, Endpoints, RequestOf } from '../../shared/api';
import type { ApiClient, CallOptions } from './client';

/** A file the service sent, and the name it suggests for it. */
export interface DownloadedFile {
  blob: Blob;
  filename: string;
}

/**
 * Fetches a file endpoint (CSV rather than JSON) through the typed client, so it is signed in and retried after a
 * 401 as every call is. Kept out of client.ts so the first view does not carry it.
 */
export async function download<N extends EndpointName>(
  api: ApiClient,
  name: N,
  input: Partial<RequestOf<Endpoints[N]>> & CallOptions = {},
): Promise<DownloadedFile> {
  const response = (await api.call(name, { ...input, raw: true })) as unknown as Response;
  const disposition = response.headers.get('Content-Disposition') ?? '';
  return { blob: await response.blob(), filename: /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'download' };
}
