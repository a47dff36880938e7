/** Browser-facing bodies are JSON only (a form post from another site cannot reach a money route) and small. */
import type { Context } from 'hono';
import { ApiError } from './errors.ts';
import { readStreamCapped } from './read-stream.ts';

export const MAX_JSON_BYTES = 64 * 1024;

const tooLarge = () => new ApiError(413, 'body_too_large', '请求内容过大 / Request body too large');

export async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiError(415, 'json_required', '请求必须是 JSON (Content-Type: application/json) / JSON body required');
  }
  const text = await readCapped(c, MAX_JSON_BYTES);
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'json_invalid', '请求内容不是有效的 JSON / Body is not valid JSON');
  }
}

/**
 * The body as UTF-8, refused with 413 as soon as it passes `max` bytes: by its Content-Length before
 * reading anything, and while reading (a chunked body declares none), so an endless body is never held.
 */
async function readCapped(c: Context, max: number): Promise<string> {
  const declared = Number(c.req.header('content-length'));
  if (Number.isFinite(declared) && declared > max) throw tooLarge();
  return new TextDecoder().decode(await readStreamCapped(c.req.raw.body, max, tooLarge));
}
