/** Errors a client can branch on: `{"error": {"code", "message", "provider"?}}` with a fitting status. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ApiErrorBody } from '../../contract/api.ts';
import type { ProviderError, ProviderErrorKind } from '../providers/types.ts';

export class ApiError extends Error {
  /** Extra response headers (e.g. Retry-After of a 429). */
  headers?: Record<string, string>;
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly provider?: { code?: string; message?: string },
  ) {
    super(message);
  }
}

const PROVIDER_STATUS: Record<ProviderErrorKind, ContentfulStatusCode> = {
  params: 400,
  config: 503,
  sign: 502,
  decrypt: 502,
  response: 502,
  network: 504,
  timeout: 504,
  declined: 422,
  not_found: 404,
  duplicate: 409,
  unsupported: 501,
};

export function fromProviderError(e: ProviderError): ApiError {
  return new ApiError(PROVIDER_STATUS[e.kind], e.code ?? `provider_${e.kind}`, e.message, e.provider);
}

export function errorBody(e: ApiError): ApiErrorBody {
  return { error: { code: e.code, message: e.message, ...(e.provider ? { provider: e.provider } : {}) } };
}

export function onError(err: Error, c: Context) {
  if (err instanceof ApiError) return c.json(errorBody(err), err.status, err.headers);
  // Hono's own HTTPException (e.g. body limit) carries a status.
  const status = (err as { status?: number }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return c.json({ error: { code: 'bad_request', message: err.message || '请求无效 / Bad request' } }, status as ContentfulStatusCode);
  }
  console.error('[proxy] unexpected error:', err.message);
  return c.json({ error: { code: 'internal', message: '服务器内部错误 / Internal error' } }, 500);
}
