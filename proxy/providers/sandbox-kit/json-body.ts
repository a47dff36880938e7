/** A back office's JSON request body, read so that no body (or `null`, `[]`, `"x"`) can make a 500. */
import type { Context } from 'hono';

export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** The body as a JSON object, or a 400 answer saying what was expected (`usage`). */
export async function readJsonObject(c: Context, usage: string): Promise<{ ok: true; body: Record<string, unknown> } | { ok: false; response: Response }> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return { ok: false, response: c.json({ sandbox: true, error: `JSON body expected: ${usage}` }, 400) };
  }
  if (!isJsonObject(body)) return { ok: false, response: c.json({ sandbox: true, error: `JSON object expected: ${usage}` }, 400) };
  return { ok: true, body };
}
