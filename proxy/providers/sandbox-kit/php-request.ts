/** A PHP backend's view of a request, for the sandboxes that play one (weishouyin, mct1). */
import type { Context } from 'hono';

/**
 * How a POST body that is not multipart is read: 'any-as-form' parses it as a form whatever its
 * Content-Type (weishouyin); 'form-only' only when it is x-www-form-urlencoded or untyped, and
 * otherwise not at all, as PHP fills $_POST (mct1: a JSON body leaves it empty).
 */
export type PhpBodies = 'any-as-form' | 'form-only';

/** The GET query merged with the POST body, as PHP's $_REQUEST (the body wins); a multipart body's files are left out. */
export async function phpRequestParams(c: Context, bodies: PhpBodies): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URL(c.req.url).searchParams) out[k] = v;
  if (c.req.method === 'POST') {
    const type = c.req.header('content-type') ?? '';
    if (type.includes('multipart/form-data')) {
      for (const [k, v] of Object.entries(await c.req.parseBody())) if (typeof v === 'string') out[k] = v;
    } else if (bodies === 'any-as-form' || type.includes('application/x-www-form-urlencoded') || !type) {
      for (const [k, v] of new URLSearchParams(await c.req.text())) out[k] = v;
    }
  }
  return out;
}
