import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * A Hugging Face hub on loopback serving one model folder: the two endpoints the hub
 * library's download uses (`paths-info` and `resolve` with byte ranges), nothing more.
 */
export async function startMockHub(repo: string, folder: string): Promise<{ url: string; downloads(): string[]; close(): Promise<void> }> {
  const commit = createHash('sha1').update(repo).digest('hex');
  const served: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'POST' && url.pathname === `/api/models/${repo}/paths-info/main`) {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const { paths } = JSON.parse(body) as { paths: string[] };
        const info = paths.map((path) => {
          const bytes = readFileSync(join(folder, path));
          return { path, type: 'file', size: bytes.length, oid: createHash('sha1').update(bytes).digest('hex'), lastCommit: { id: commit, title: 'fixture', date: '2026-01-01T00:00:00Z' } };
        });
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(info));
      });
      return;
    }
    const prefix = `/${repo}/resolve/main/`;
    if (req.method === 'GET' && url.pathname.startsWith(prefix)) {
      const path = decodeURIComponent(url.pathname.slice(prefix.length));
      let bytes: Buffer;
      try {
        statSync(join(folder, path));
        bytes = readFileSync(join(folder, path));
      } catch {
        res.writeHead(404, { 'X-Error-Code': 'EntryNotFound' }).end();
        return;
      }
      const etag = `"${createHash('sha1').update(bytes).digest('hex')}"`;
      const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
      if (range) {
        const start = Number(range[1]);
        const end = range[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1;
        if (end - start > 0) served.push(path);
        res.writeHead(206, { ETag: etag, 'Content-Range': `bytes ${start}-${end}/${bytes.length}`, 'Content-Length': String(end - start + 1) }).end(bytes.subarray(start, end + 1));
      } else {
        served.push(path);
        res.writeHead(200, { ETag: etag, 'Content-Length': String(bytes.length) }).end(bytes);
      }
      return;
    }
    res.writeHead(404, { 'X-Error-Code': 'RepoNotFound' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closed = false;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    downloads: () => [...served],
    close: () => (closed ? Promise.resolve() : new Promise<void>((resolve) => { closed = true; server.closeAllConnections(); server.close(() => resolve()); })),
  };
}
