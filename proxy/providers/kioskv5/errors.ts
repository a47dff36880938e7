/**
 * Typed errors of the kioskv5 adapter: a `ProviderError` with a stable machine code ("kioskv5_…")
 * so the route layer or a log can tell them apart without parsing text. Messages are for cashiers
 * and managers: zh-CN first, English after " / ". They never contain the auth secret.
 *
 * The seed (seeds/000) prints no error table, so the backend's own codes are kept as they came in
 * `error.provider` and classified by what can be known without one: HTTP 401/403 → `config` (the
 * auth was refused, nothing was done), HTTP 404 or a message saying 不存在 → `not_found`, any other
 * refusal → `declined`.
 */
import type { ProviderError, ProviderErrorKind } from '../types.ts';

export interface KioskV5Error extends ProviderError {
  /** Stable machine code, "kioskv5_…". */
  code: string;
}

export type Failure = { ok: false; error: KioskV5Error };

export function providerError(kind: ProviderErrorKind, code: string, message: string, provider?: { code?: string; message?: string }): KioskV5Error {
  return provider ? { kind, code, message, provider } : { kind, code, message };
}

export function fail(kind: ProviderErrorKind, code: string, message: string, provider?: { code?: string; message?: string }): Failure {
  return { ok: false, error: providerError(kind, code, message, provider) };
}

/** The backend said no (an envelope with a non-zero code, or an error answer). */
export interface Refusal {
  /** The backend's code as text ("40401"); the HTTP status when the answer had no code. */
  code: string;
  msg: string;
  httpStatus: number;
}

/**
 * A refusal as an error: auth refused → config, not found → not_found, else declined.
 * `msg` must already be scrubbed of secrets.
 * @see seeds/000 (no error table: the classification is ours, see the header)
 */
export function refusalError(r: Refusal): KioskV5Error {
  const provider = r.msg ? { code: r.code, message: r.msg } : { code: r.code };
  const reason = r.msg || `code ${r.code}`;
  if (r.httpStatus === 401 || r.httpStatus === 403) {
    return providerError(
      'config',
      'kioskv5_auth_refused',
      `一体机后台拒绝了鉴权（${reason}）：请检查 auth 配置和店铺ID sid / the kiosk backend refused our authentication: check the auth settings and the shop id`,
      provider,
    );
  }
  if (r.httpStatus === 404 || /不存在|not\s*found/i.test(r.msg)) {
    return providerError('not_found', 'kioskv5_not_found', `一体机后台找不到该记录（${reason}） / not found at the kiosk backend`, provider);
  }
  return providerError('declined', 'kioskv5_refused', `一体机后台拒绝：${reason} / the kiosk backend refused the request`, provider);
}
