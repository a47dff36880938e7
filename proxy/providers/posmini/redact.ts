/**
 * What a call record shows of a posmini exchange. Pure.
 *
 * The request is recorded as it was sent, except: `wechatbarcode` (the ciphertext) is `***`, a note
 * names the plaintext code masked to its last four digits, and no header is recorded (the session
 * auth travels in one). As a last guard every known secret — login password, session key (both
 * cases, and the 24 characters used as the DES key), the auth secret, the ciphertext — is scrubbed
 * from the whole text and payment codes are masked.
 * @see shared/DESIGN.md (Payment invariants 5: no response or log line contains a secret)
 */

/** Longest answer text kept in a record. */
export const MAX_RECORDED_CHARS = 8 * 1024;

/** "130000000000000001" → "**************0001". */
export function maskAuthCode(code: string): string {
  return code.length <= 4 ? '*'.repeat(code.length) : '*'.repeat(code.length - 4) + code.slice(-4);
}

/** Every occurrence of each secret replaced by `***` (the longest first); payment codes masked. */
export function scrub(text: string, secrets: { hide?: (string | undefined)[]; authCodes?: (string | undefined)[] }): string {
  let out = text;
  const hide = (secrets.hide ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4);
  for (const s of [...hide].sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
  for (const code of secrets.authCodes ?? []) {
    if (code && code.length > 4) out = out.split(code).join(maskAuthCode(code));
  }
  return out;
}

/**
 * `POST <url>` / `content-type: …` / the body with the ciphertext as `***` / what it encrypts, masked.
 * @see seeds/003 Request Information
 */
export function recordRequest(url: string, contentType: string, body: string, authCode?: string): string {
  const lines = [`POST ${url}`, `content-type: ${contentType}`, body];
  if (authCode) lines.push(`(wechatbarcode = 3DES(${maskAuthCode(authCode)}))`);
  return lines.join('\n');
}

/** `HTTP <status>` / the body, cut to MAX_RECORDED_CHARS. */
export function recordResponse(status: number, body: string): string {
  const text = body.length > MAX_RECORDED_CHARS ? `${body.slice(0, MAX_RECORDED_CHARS)}…(${body.length} chars)` : body;
  return `HTTP ${status}\n${text}`;
}
