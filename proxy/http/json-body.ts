/** Browser-facing bodies are JSON only (a form post from another site cannot reach a money route) and small. */
import type { Context } from 'hono';
import { ApiError } from './errors.ts';

export const MAX_JSON_BYTES = 64 * 1024;

export async function readJson(c: Context): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiError(415, 'json_required', '请求必须是 JSON (Content-Type: application/json) / JSON body required');
  }
  const text = await c.req.text();
  if (Buffer.byteLength(text) > MAX_JSON_BYTES) throw new ApiError(413, 'body_too_large', '请求内容过大 / Request body too large');
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'json_invalid', '请求内容不是有效的 JSON / Body is not valid JSON');
  }
}
