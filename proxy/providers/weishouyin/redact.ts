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

/** A response body as recorded: `key="..."` attributes → `key="***"`. */
export function redactResponse(text: string): string {
  return text.replace(/(\bkey\s*=\s*)(["'])[^"']*\2/gi, '$1$2***$2');
}
