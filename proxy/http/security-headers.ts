/**
 * Response headers of everything the proxy serves itself (not the sandbox simulators, which answer
 * as the providers would): nosniff, no referrer, no framing, and a strict Content-Security-Policy —
 * the PWA's scripts, styles, workers and API calls come from this origin only, nothing inline.
 * API answers (/api, /pay) are never cached (`Cache-Control: no-store`) and may run nothing.
 */
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/** The PWA's policy. `blob:` images: the settlement voucher is fetched with the token and shown from an object URL. */
export const APP_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'blob:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  workerSrc: ["'self'"],
  manifestSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** JSON, receipts and vouchers: nothing to run, nothing to frame. */
export const API_CSP = {
  defaultSrc: ["'none'"],
  frameAncestors: ["'none'"],
};

const COMMON = {
  xFrameOptions: 'DENY',
  referrerPolicy: 'no-referrer',
  // TLS ends at the store's reverse proxy, which sets HSTS for its own host names.
  strictTransportSecurity: false,
} as const;

export const isApiPath = (path: string) => path === '/api' || path.startsWith('/api/') || path === '/pay' || path.startsWith('/pay/');

export function securityHeaders(): MiddlewareHandler {
  const page = secureHeaders({ ...COMMON, contentSecurityPolicy: APP_CSP });
  const api = secureHeaders({ ...COMMON, contentSecurityPolicy: API_CSP });
  return async function securityHeaders(c, next) {
    const path = c.req.path;
    if (path.startsWith('/sandbox/')) return next();
    if (!isApiPath(path)) return page(c, next);
    await api(c, next);
    c.res.headers.set('cache-control', 'no-store');
  };
}
