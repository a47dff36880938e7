/**
 * What a call record shows of an mct1 exchange. Pure.
 *
 * A request is recorded with its DECRYPTED payload (the hex `data` tells a reader nothing), with
 * `auth_code` masked to its last four digits, `shop_pass` (a SHA-1 of the supervisor password) and
 * `sign` as `***`. An answer is recorded with its decrypted `data` and `sign` as `***`. As a last
 * guard every known secret is scrubbed from the whole text.
 * @see shared/DESIGN.md (Payment invariants 5: no response or log line contains a secret)
 */
import { maskAuthCode } from '../redact-text.ts';

export { maskAuthCode, scrub } from '../redact-text.ts';

/** Longest answer text kept in a record when it cannot be decoded. */
export const MAX_RECORDED_CHARS = 8 * 1024;

/** The payload JSON as recorded: auth_code masked, shop_pass hidden. */
export function redactPayload(payload: Record<string, unknown>): string {
  const copy: Record<string, unknown> = { ...payload };
  if (typeof copy.auth_code === 'string') copy.auth_code = maskAuthCode(copy.auth_code);
  if ('shop_pass' in copy) copy.shop_pass = '***';
  return JSON.stringify(copy);
}

/**
 * `POST <url>` / the form fields but data, sign as *** / `data=` the decrypted payload, redacted.
 * @see seeds/004 §2.2 item 6 (open_id=OPEN_ID&timestamp=1234567890&data=DATA&sign=…)
 */
export function recordRequest(url: string, form: { open_id: string; timestamp: string }, payload: Record<string, unknown>): string {
  return `POST ${url}\nopen_id=${form.open_id}&timestamp=${form.timestamp}&sign=***\ndata=${redactPayload(payload)}`;
}

/**
 * `HTTP <status>` / the envelope with `data` replaced by its decrypted value (or, when that failed,
 * its length) and `sign` as ***. A body that is not an envelope is kept, cut to MAX_RECORDED_CHARS.
 */
export function recordResponse(
  status: number | undefined,
  raw: string,
  envelope?: { fields: Record<string, unknown> },
  decrypted?: unknown,
): string {
  const head = status === undefined ? '' : `HTTP ${status}\n`;
  if (!envelope) return head + (raw.length > MAX_RECORDED_CHARS ? `${raw.slice(0, MAX_RECORDED_CHARS)}…(${raw.length} chars)` : raw);
  const shown: Record<string, unknown> = { ...envelope.fields };
  if ('sign' in shown) shown.sign = '***';
  if (typeof shown.data === 'string') shown.data = decrypted !== undefined ? decrypted : `<${shown.data.length} hex digits, not decrypted>`;
  const text = JSON.stringify(shown);
  return head + (text.length > MAX_RECORDED_CHARS * 8 ? `${text.slice(0, MAX_RECORDED_CHARS * 8)}…` : text);
}
