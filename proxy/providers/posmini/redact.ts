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
import { maskAuthCode } from '../redact-text.ts';

export { maskAuthCode, scrub } from '../redact-text.ts';

/** Longest answer text kept in a record. */
export const MAX_RECORDED_CHARS = 8 * 1024;

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
