/**
 * Redaction of the request/response text recorded for every 微收银 call (CallRecord). Pure.
 * Secrets (device key, signatures, activation codes) become `***`; a payment code keeps its last
 * four digits only.
 * @see shared/DESIGN.md (Payment invariants 5: no response or log line contains a secret)
 */
import { scrub } from '../redact-text.ts';

export { maskAuthCode, scrub } from '../redact-text.ts';

const SECRET_PARAMS = new Set(['key', 'sign', 'initkey']);

/**
 * A request's parameters as recorded: `key`, `sign`, `initkey` → `***`, the payment code masked
 * (also inside `infoaddo`, which may repeat it), URL-encoded like the request itself.
 */
export function redactParams(params: Record<string, string>): string {
  const authCode = params.authcode;
  const out = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (SECRET_PARAMS.has(name)) out.append(name, '***');
    else out.append(name, authCode ? scrub(value, { authCodes: [authCode] }) : value);
  }
  return out.toString();
}

/** What a call record keeps of a body at most, as for the other providers: the ledger stays small. */
export const MAX_RECORDED_CHARS = 8 * 1024;

/** A response body as recorded: `key="..."` attributes → `key="***"`, cut to MAX_RECORDED_CHARS. */
export function redactResponse(text: string): string {
  // Redacted before it is cut, so a cut never leaves half a key behind.
  const redacted = text.replace(/(\bkey\s*=\s*)(["'])[^"']*\2/gi, '$1$2***$2');
  return redacted.length > MAX_RECORDED_CHARS ? `${redacted.slice(0, MAX_RECORDED_CHARS)}…(${redacted.length} chars)` : redacted;
}
