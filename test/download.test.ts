// Weights over HTTP: a connection cut mid-file resumes with a Range request; without Range support
// the error says so. A local server on 127.0.0.1 cuts responses on purpose.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClassifier } from '../src/node/index.js';
import { openResumableDownload } from '../src/io/resumable-download.js';
import { smallWeights } from './fixtures.js';

interface Behaviour {
  /** Cut the full response after this many bytes (the socket is destroyed). */
  cutAt?: number;
  rangeSupport: boolean;
  /** Cut ranged responses too, after 100 bytes. */
  cutRanged?: boolean;
}

let server: Server;
let base = '';
let behaviour: Behaviour = { rangeSupport: true };
const seen: { range: string | undefined }[] = [];

function handle(request: IncomingMessage, response: import('node:http').ServerResponse): void {
  const bytes = smallWeights();
  const range = request.headers.range;
  seen.push({ range });
  const match = /^bytes=(\d+)-$/.exec(range ?? '');
  if (match && behaviour.rangeSupport) {
    const from = Number(match[1]);
    response.writeHead(206, { 'content-range': `bytes ${from}-${bytes.byteLength - 1}/${bytes.byteLength}`, 'content-length': bytes.byteLength - from, 'accept-ranges': 'bytes' });
    if (behaviour.cutRanged) response.write(bytes.subarray(from, from + 100), () => setTimeout(() => response.socket?.destroy(), 20));
    else response.end(bytes.subarray(from));
    return;
  }
  response.writeHead(200, { 'content-length': bytes.byteLength, ...(behaviour.rangeSupport ? { 'accept-ranges': 'bytes' } : {}) });
  if (behaviour.cutAt === undefined) {
    response.end(bytes);
    return;
  }
  response.write(bytes.subarray(0, behaviour.cutAt), () => setTimeout(() => response.socket?.destroy(), 20));
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(() => server?.close());

describe('weights over HTTP', () => {
  it('a connection cut mid-file resumes with one Range request and loads the same model', async () => {
    seen.length = 0;
    behaviour = { rangeSupport: true, cutAt: Math.floor(smallWeights().byteLength / 2) };
    const classifier = await createClassifier({ weights: `${base}/small.safetensors` });
    expect(classifier.labels).toHaveLength(10);
    expect(seen.map((s) => s.range)).toEqual([undefined, `bytes=${behaviour.cutAt}-`]);
    classifier.dispose();
  });

  it('without Range support a cut download is WEIGHTS_DOWNLOAD_FAILED saying resuming is not supported', async () => {
    behaviour = { rangeSupport: false, cutAt: 5000 };
    await expect(createClassifier({ weights: `${base}/small.safetensors` })).rejects.toMatchObject({
      code: 'WEIGHTS_DOWNLOAD_FAILED',
      message: expect.stringMatching(/dropped after 5000 bytes.*does not support resuming/),
    });
  });

  it('gives up after the bounded number of Range retries, each resuming where the last stopped', async () => {
    seen.length = 0;
    behaviour = { rangeSupport: true, cutAt: 3000, cutRanged: true };
    const download = await openResumableDownload(`${base}/x`, { retries: 2, backoffMs: 1, what: 'the weights' });
    const reader = download.stream.getReader();
    const readAll = async (): Promise<void> => {
      while (!(await reader.read()).done);
    };
    await expect(readAll()).rejects.toMatchObject({ code: 'WEIGHTS_DOWNLOAD_FAILED', message: expect.stringMatching(/after 3200 of \d+ bytes.*2 attempts/) });
    expect(seen.map((s) => s.range)).toEqual([undefined, 'bytes=3000-', 'bytes=3100-']);
  });
});
