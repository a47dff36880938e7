/** The Hono apps every sandbox starts from, and where it is mounted. */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/** The provider's side: requests over 64 KiB are refused with 413 before any handler runs. */
export function sandboxApp(): Hono {
  const app = new Hono();
  app.use('*', bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text('Request Entity Too Large', 413) }));
  return app;
}

/** The back office (mounted at /_admin): every answer is marked `x-sandbox: <sandbox>`. */
export function sandboxAdmin(sandbox: string): Hono {
  const admin = new Hono();
  admin.use('*', async (c, next) => {
    await next();
    c.header('x-sandbox', sandbox);
  });
  return admin;
}

/** Where a sandbox is reachable: its public mount prefix (no trailing slash) and, if set, its public URL. */
export interface SandboxMount {
  basePath: string;
  publicUrl?: string;
}

export function sandboxMount(opts: { basePath?: string; publicUrl?: string }, defaultBasePath: string): SandboxMount {
  return { basePath: (opts.basePath ?? defaultBasePath).replace(/\/+$/, ''), publicUrl: opts.publicUrl };
}

/**
 * Our own public base URL: `publicUrl` when configured (e.g. behind a TLS front end), else the
 * request's origin and the mount prefix, found from `basePath` or by taking `suffix` off the path.
 */
export function publicBase(c: Context, mount: SandboxMount, suffix: string): string {
  if (mount.publicUrl) return mount.publicUrl.replace(/\/+$/, '');
  const url = new URL(c.req.url);
  const path = url.pathname;
  const prefix = mount.basePath && path.startsWith(`${mount.basePath}/`) ? mount.basePath : path.endsWith(suffix) ? path.slice(0, -suffix.length) : '';
  return `${url.origin}${prefix}`;
}
