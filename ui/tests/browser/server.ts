// A tiny static server for `ui/dist` on 127.0.0.1 that sends the app's real CSP (read from
// tauri.conf.json), so a CSP violation in the built UI fails the browser tests.
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
export const UI_DIR = resolve(here, "../..");
export const DIST = join(UI_DIR, "dist");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};

export async function appCsp(): Promise<string> {
  const conf = JSON.parse(await readFile(join(UI_DIR, "..", "tauri.conf.json"), "utf8")) as {
    app?: { security?: { csp?: string } };
  };
  const csp = conf.app?.security?.csp;
  if (!csp) throw new Error("tauri.conf.json has no app.security.csp");
  return csp;
}

export async function serveDist(): Promise<{ url: string; close(): Promise<void> }> {
  const csp = await appCsp();
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = normalize(join(DIST, path === "/" ? "index.html" : path));
    if (!file.startsWith(DIST)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "content-security-policy": csp,
        "cache-control": "no-store",
      });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
