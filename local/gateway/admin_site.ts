// The admin page on the local stack: the built files of admin/ under /admin/, and
// /admin/config.js telling the page where the project is. Only the project URL and the anon key
// go to the browser — never the service-role key, the worker secret or a provider key.
import { extname, join, normalize } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".map": "application/json",
};

export function adminSite(opts: { distDir: string; supabaseUrl: string; anonKey: string }) {
  const config = `window.AQ_CONFIG = ${
    JSON.stringify({ supabaseUrl: opts.supabaseUrl, anonKey: opts.anonKey })
  };\n`;
  return async (req: Request): Promise<Response | null> => {
    const path = new URL(req.url).pathname;
    if (path === "/" || path === "/admin") {
      return Response.redirect(new URL("/admin/", req.url), 302);
    }
    if (!path.startsWith("/admin/")) return null;
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("method not allowed", { status: 405 });
    }
    if (path === "/admin/config.js") {
      return new Response(config, {
        headers: { "content-type": TYPES[".js"], "cache-control": "no-store" },
      });
    }
    const rel = normalize(decodeURIComponent(path.slice("/admin/".length)) || "index.html");
    if (rel.startsWith("..") || rel.includes("\0")) {
      return new Response("bad path", { status: 400 });
    }
    for (const candidate of [rel, "index.html"]) {
      try {
        const body = await Deno.readFile(join(opts.distDir, candidate));
        return new Response(body, {
          headers: { "content-type": TYPES[extname(candidate)] ?? "application/octet-stream" },
        });
      } catch {
        // not a file: the page's own routes fall back to index.html
      }
    }
    return new Response("the admin page is not built: run scripts/stack up", { status: 404 });
  };
}
