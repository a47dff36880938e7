/**
 * Typed `ProviderError` values of the posmini adapter, each with a stable machine code
 * ("posmini_…") so the route layer or a log can tell them apart without parsing text.
 * Messages are for cashiers: zh-CN first, English after " / ". They never contain a secret
 * (login password, session key, auth token, ciphertext, full payment code).
 */
import type { ProviderError, ProviderErrorKind } from '../types.ts';

export interface PosMiniError extends ProviderError {
  /** Stable machine code, "posmini_…". */
  code: string;
}

export type Failure = { ok: false; error: PosMiniError };

export function providerError(
  kind: ProviderErrorKind,
  code: string,
  message: string,
  provider?: { code?: string; message?: string },
): PosMiniError {
  return provider ? { kind, code, message, provider } : { kind, code, message };
}

export function fail(kind: ProviderErrorKind, code: string, message: string, provider?: { code?: string; message?: string }): Failure {
  return { ok: false, error: providerError(kind, code, message, provider) };
}

/**
 * An errmsg that says the backend could not decrypt the payment code (our session key or DES
 * variant does not match its own): a configuration problem, nothing was charged.
 */
export function isDecryptMessage(errmsg: string | undefined): boolean {
  return typeof errmsg === 'string' && /解密|密钥|密文|decrypt/i.test(errmsg);
}
