/**
 * Redaction of the request/response text recorded for every 微收银 call (CallRecord). Pure.
 * Secrets (device key, signatures, activation codes) become `***`; a payment code keeps its last
 * four digits only.
 * @see shared/DESIGN.md (Payment invariants 5: no response or log line contains a secret)
 */

const SECRET_PARAMS = new Set(['key', 'sign', 'initkey']);

/** "288924276181755765" → "**************5765". */
export function maskAuthCode(code: string): string {
  return code.length <= 4 ? '*'.repeat(code.length) : '*'.repeat(code.length - 4) + code.slice(-4);
}

/** Every occurrence of each secret in `text` replaced (the longest first); payment codes masked. */
export function scrub(text: string, secrets: { hide?: (string | undefined)[]; authCodes?: (string | undefined)[] }): string {
  let out = text;
  const hide = (secrets.hide ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4);
  for (const s of hide.sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
  for (const code of secrets.authCodes ?? []) {
    if (code && code.length > 4) out = out.split(code).join(maskAuthCode(code));
  }
  return out;
}

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
