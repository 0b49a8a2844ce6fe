// A tiny, dependency-free static file server for the end-to-end tests and the browser benchmark.
//
// It binds to 127.0.0.1 only and sends the cross-origin isolation headers (COOP/COEP/CORP), so
// that `performance.now()` has fine resolution in the page. Extra directories can be mounted under
// a URL prefix (the benchmark serves OpenCV.js from node_modules that way).
//
//   const server = await serve('dist', { port: 0, mounts: { '/vendor/opencv/': dir } });
//   server.url   // 'http://127.0.0.1:PORT/'
//   await server.close();
//
// Run directly (`node e2e/serve.mjs [DIR] [PORT]`) to look at a build by hand.

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** MIME types by lower-case file extension. */
export const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

/** Maps a URL path to a file under `root`, or null if it would leave `root`. */
function resolveUnder(root, urlPath) {
  const rel = path.normalize(decodeURIComponent(urlPath)).replace(/^([/\\])+/, '');
  const file = path.resolve(root, rel);
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  return file;
}

/**
 * Serves `rootDir` on 127.0.0.1.
 *
 * @param {string} rootDir directory to serve at `/` (a directory request serves its index.html)
 * @param {{port?: number, mounts?: Record<string, string>, cors?: boolean}} [options] `port: 0`
 *   picks a free port; `mounts` maps URL prefixes such as `/vendor/` to further directories; `cors`
 *   lets any other site read the files (`Access-Control-Allow-Origin: *`, as an image host would).
 * @returns {Promise<{url: string, port: number, close: () => Promise<void>}>}
 */
export async function serve(rootDir, { port = 0, mounts = {}, cors = false } = {}) {
  const root = path.resolve(rootDir);
  const headers = cors
    ? { ...ISOLATION_HEADERS, 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' }
    : ISOLATION_HEADERS;
  const prefixes = Object.entries(mounts)
    .map(([prefix, dir]) => [prefix.endsWith('/') ? prefix : prefix + '/', path.resolve(dir)])
    .sort((a, b) => b[0].length - a[0].length);

  const server = createServer(async (req, res) => {
    const send = (status, body) => {
      res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    let urlPath;
    try {
      urlPath = new URL(req.url, 'http://127.0.0.1').pathname;
    } catch {
      return send(400, 'bad request\n');
    }
    let base = root;
    let rest = urlPath;
    for (const [prefix, dir] of prefixes) {
      if (urlPath.startsWith(prefix)) {
        base = dir;
        rest = urlPath.slice(prefix.length);
        break;
      }
    }
    let file;
    try {
      file = resolveUnder(base, rest);
    } catch {
      return send(400, 'bad request\n');
    }
    if (!file) return send(403, 'forbidden\n');
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        file = path.join(file, 'index.html');
        info = await stat(file);
      }
      const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': info.size });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file)
        .on('error', () => res.destroy())
        .pipe(res);
    } catch {
      send(404, `not found: ${urlPath}\n`);
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actual = server.address().port;
  return {
    url: `http://127.0.0.1:${actual}/`,
    port: actual,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
  const port = Number(process.argv[3] ?? 8081);
  const { url } = await serve(dir, { port });
  console.log(`serving ${path.resolve(dir)} at ${url} (Ctrl-C to stop)`);
}
