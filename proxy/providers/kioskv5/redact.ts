/**
 * What a call record shows of a kioskv5 exchange. Pure.
 *
 * A request is recorded as `POST <url>`, the auth scheme WITHOUT its secret (`auth: bearer ***`,
 * `auth: header x-api-key ***`, `auth: param token ***`), then the parameters with the payment
 * code masked to its last four digits. An answer is recorded as `HTTP <status>` and its text, cut
 * to MAX_RECORDED_CHARS. As a last guard the auth secret (`redactAuth`) and every payment code of
 * the call are scrubbed from the whole text.
 * @see shared/DESIGN.md (Payment invariants 5: no response or log line contains a secret)
 */
import { redactAuth, type HttpAuth } from '../http-auth.ts';
import { maskAuthCode, scrub as scrubSecrets } from '../redact-text.ts';
import type { Params } from './codec.ts';

export { maskAuthCode } from '../redact-text.ts';

/** Longest answer text kept in a record. */
export const MAX_RECORDED_CHARS = 8 * 1024;

/** The auth secret replaced by ***, payment codes masked. */
export function scrub(text: string, auth: HttpAuth | undefined, authCodes: (string | undefined)[] = []): string {
  return scrubSecrets(redactAuth(text, auth), { authCodes });
}

/** How the auth scheme is shown: its type and where it goes, never its value. */
export function describeAuth(auth: HttpAuth | undefined): string {
  switch (auth?.type) {
    case 'bearer':
      return 'auth: bearer ***';
    case 'header':
      return `auth: header ${auth.name.toLowerCase()} ***`;
    case 'param':
      return `auth: param ${auth.name} ***`;
    default:
      return 'auth: none';
  }
}

/** `POST <url>` / the auth scheme / the parameters as JSON, the payment code masked. */
export function recordRequest(url: string, auth: HttpAuth | undefined, params: Params, authCodeParam: string): string {
  const shown: Record<string, string | number> = { ...params };
  const code = shown[authCodeParam];
  if (typeof code === 'string') shown[authCodeParam] = maskAuthCode(code);
  return `POST ${url}\n${describeAuth(auth)}\n${JSON.stringify(shown)}`;
}

/** `HTTP <status>` / the answer text, cut. */
export function recordResponse(status: number | undefined, text: string): string {
  const head = status === undefined ? '' : `HTTP ${status}\n`;
  return head + (text.length > MAX_RECORDED_CHARS ? `${text.slice(0, MAX_RECORDED_CHARS)}…(${text.length} chars)` : text);
}
