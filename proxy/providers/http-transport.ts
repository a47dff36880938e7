/**
 * The HTTP plumbing every provider client shares: one request with a time limit, its answer read up
 * to a size cap. It only says WHICH failure happened (`TransportFailure`); what that means to a
 * cashier is each client's to say, in its own words and with its own redaction.
 */
import { readStreamCapped } from '../http/read-stream.ts';
import { xmlDeclaredEncoding } from './provider-xml.ts';

/** How an answer's bytes become text. */
export type AnswerCharset =
  /** Always UTF-8: a charset in Content-Type is ignored (kioskv5 and mct1: JSON backends). */
  | 'utf-8'
  /**
   * The Content-Type's charset if the platform knows it, else the one the XML document names for
   * itself (a BOM or `<?xml … encoding="GB18030"?>`), else UTF-8 (weishouyin and posmini).
   */
  | 'content-type';

/** Thrown by `readCapped` when the answer is larger than allowed. */
export class AnswerTooLarge extends Error {}

function decoderFor(res: Response, charset: AnswerCharset, bytes: Uint8Array): TextDecoder {
  if (charset === 'utf-8') return new TextDecoder('utf-8');
  const named = /charset=([^;\s]+)/i.exec(res.headers.get('content-type') ?? '')?.[1]?.replace(/"/g, '') || xmlDeclaredEncoding(bytes);
  try {
    return new TextDecoder(named || 'utf-8');
  } catch {
    return new TextDecoder('utf-8');
  }
}

/** The answer's text, at most `maxBytes` bytes: past that the rest is not read, and AnswerTooLarge is thrown. */
export async function readCapped(res: Response, maxBytes: number, charset: AnswerCharset): Promise<string> {
  const bytes = await readStreamCapped(res.body, maxBytes, () => new AnswerTooLarge());
  return decoderFor(res, charset, bytes).decode(bytes);
}

export type TransportFailure =
  /** No (complete) answer within `timeoutMs`. */
  | { ok: false; reason: 'timeout' }
  /** The answer was larger than `maxBytes`. */
  | { ok: false; reason: 'too_large' }
  /** No connection, or it broke. `detail` is the error code (ECONNREFUSED…) or message, NOT redacted. */
  | { ok: false; reason: 'network'; detail: string };

export type TransportResult = { ok: true; status: number; text: string } | TransportFailure;

export interface TimedTransport {
  fetch: typeof fetch;
  timeoutMs: number;
  maxBytes: number;
  charset: AnswerCharset;
  /**
   * The failure reported when the answer was too large AND the time ran out (a race at the very end
   * of the time allowed). The clients were written each way and keep it: weishouyin says 'timeout',
   * kioskv5, mct1 and posmini say 'too_large'.
   */
  whenTooLargeAndLate: 'timeout' | 'too_large';
}

/** One request, bounded in time and size; redirects are not followed. */
export async function timedFetch(url: string, init: Omit<RequestInit, 'signal' | 'redirect'>, how: TimedTransport): Promise<TransportResult> {
  const fetchImpl = how.fetch;
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), how.timeoutMs);
  try {
    const res = await fetchImpl(url, { ...init, signal: ctrl.signal, redirect: 'manual' });
    const text = await readCapped(res, how.maxBytes, how.charset);
    return { ok: true, status: res.status, text };
  } catch (e) {
    const tooLarge = e instanceof AnswerTooLarge;
    if (ctrl.signal.aborted && (!tooLarge || how.whenTooLargeAndLate === 'timeout')) return { ok: false, reason: 'timeout' };
    if (tooLarge) return { ok: false, reason: 'too_large' };
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
    const detail = cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : String(cause);
    return { ok: false, reason: 'network', detail };
  } finally {
    clearTimeout(timer);
  }
}
