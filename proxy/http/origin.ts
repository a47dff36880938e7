/**
 * Who may call the browser-facing API (/api, /pay) from a web page: the PWA's own origin, plus the
 * origins in `security.allowedOrigins` (a PWA served elsewhere). Bearer tokens in a header already
 * keep another site's page from acting as a terminal (a browser never adds them by itself); this is
 * the second lock: a request whose Origin is present and not allowed is refused with 403 JSON before
 * any route runs, a preflight from an allowed origin is answered (CORS), and from any other it is not.
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { ApiError } from './errors.ts';

/** Headers a page on an allowed origin may read: the 429's wait, the bill number of a printed bill. */
const EXPOSED = ['Retry-After', 'X-Bill-No'];

/**
 * `trustProxy`: behind the store's reverse proxy the Host we see may be the proxy's upstream address;
 * the host the browser used is then the last X-Forwarded-Host entry (a page cannot set that header on
 * a request to another site without a preflight, which is refused).
 */
export function originGuard(opts: { allowedOrigins: readonly string[]; trustProxy?: boolean }): MiddlewareHandler {
  const allowed = new Set(opts.allowedOrigins);
  const crossOrigin = cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID'],
    exposeHeaders: EXPOSED,
    maxAge: 600,
    credentials: false,
  });
  return async function originGuard(c, next) {
    const origin = c.req.header('origin');
    const site = c.req.header('sec-fetch-site');
    if (origin === undefined) {
      // No Origin: a script, a provider, or a same-origin GET. A browser that says another site sent
      // it (a link, an <img>) is refused all the same.
      if (site === 'cross-site' || site === 'same-site') throw refused();
      return next();
    }
    if (sameOrigin(origin, c.req.header('host'))) return next();
    if (opts.trustProxy && sameOrigin(origin, c.req.header('x-forwarded-host')?.split(',').pop()?.trim())) return next();
    if (!allowed.has(origin)) throw refused();
    return crossOrigin(c, next);
  };
}

function refused(): ApiError {
  return new ApiError(403, 'origin_forbidden', '不允许从其他网站调用收银接口 / Requests from another site are not allowed');
}

/** The Origin names this very host and port (the Host header a browser cannot forge). */
export function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  let o: URL;
  let h: URL;
  try {
    o = new URL(origin);
    h = new URL(`${o.protocol}//${host}`);
  } catch {
    return false;
  }
  if (o.protocol !== 'http:' && o.protocol !== 'https:') return false;
  return o.hostname === h.hostname && o.port === h.port;
}
