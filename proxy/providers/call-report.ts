/**
 * The one CallRecord each HTTP exchange of a provider client leaves: its texts cleaned by the
 * client's own redaction, its duration measured here.
 */
import type { CallRecord, CallSink } from './types.ts';

/** A CallRecord before it is cleaned and timed: `request`/`response` as sent and answered, `started` from performance.now(). */
export type CallReport = Omit<CallRecord, 'durationMs'> & { started: number };

/** Hands the record to the sink, if any. A sink that throws is logged, never rethrown. */
export function reportCall(sink: CallSink | undefined, call: CallReport, clean: (text: string) => string): void {
  if (!sink) return;
  try {
    sink({
      provider: call.provider,
      op: call.op,
      outNo: call.outNo,
      request: clean(call.request),
      response: clean(call.response),
      ok: call.ok,
      errorKind: call.errorKind,
      durationMs: Math.round(performance.now() - call.started),
    });
  } catch (e) {
    // The sink must not turn a known payment outcome into an exception.
    console.error(`${call.provider}: onCall sink failed:`, e instanceof Error ? e.message : e);
  }
}
