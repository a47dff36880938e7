/**
 * The last guard of every provider's call records and messages: known secrets replaced by `***`,
 * payment codes masked to their last four digits. Pure. What each provider records, and which
 * secrets it knows, is in its own redact.ts.
 * @see shared/DESIGN.md (Payment invariants 5: no response or log line contains a secret)
 */

/** "130000000000000001" → "**************0001". */
export function maskAuthCode(code: string): string {
  return code.length <= 4 ? '*'.repeat(code.length) : '*'.repeat(code.length - 4) + code.slice(-4);
}

/** Every occurrence of each secret replaced by `***` (the longest first; shorter than 4 ignored); payment codes masked. */
export function scrub(text: string, secrets: { hide?: (string | undefined)[]; authCodes?: (string | undefined)[] }): string {
  let out = text;
  const hide = (secrets.hide ?? []).filter((s): s is string => typeof s === 'string' && s.length >= 4);
  for (const s of [...hide].sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
  for (const code of secrets.authCodes ?? []) {
    if (code && code.length > 4) out = out.split(code).join(maskAuthCode(code));
  }
  return out;
}
