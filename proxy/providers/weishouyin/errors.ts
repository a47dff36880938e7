/**
 * Small helpers for the typed `ProviderError` values of the 微收银 adapter.
 * Messages are for cashiers: zh-CN first, English after " / ". They never contain a secret.
 */
import type { ProviderError, ProviderErrorKind } from '../types.ts';

export function providerError(
  kind: ProviderErrorKind,
  message: string,
  provider?: { code?: string; message?: string },
): ProviderError {
  return provider ? { kind, message, provider } : { kind, message };
}

export function fail(
  kind: ProviderErrorKind,
  message: string,
  provider?: { code?: string; message?: string },
): { ok: false; error: ProviderError } {
  return { ok: false, error: providerError(kind, message, provider) };
}

/** The provider's `info` mentions the signature: our key (or theirs) does not match. */
export function isSignInfo(info: string | undefined): boolean {
  return typeof info === 'string' && info.includes('签名');
}
