/**
 * How a sandbox misbehaves on the wire: a request held open (`hang`), or a connection destroyed
 * without an answer (`drop`).
 */
import type { Context } from 'hono';
import { gatewayPage } from './gateway-pages.ts';

/** Resolves after `ms`, or as soon as any of the signals aborts (at once if one already has). */
export function sleep(ms: number, ...signals: (AbortSignal | undefined)[]): Promise<void> {
  return new Promise((resolve) => {
    if (signals.some((s) => s?.aborted)) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      for (const s of signals) s?.removeEventListener('abort', done);
      resolve();
    }
    for (const s of signals) s?.addEventListener('abort', done, { once: true });
  });
}

export interface ConnectionFaults {
  /** Held open `hangMs`, never executed, then the gateway's 504; ends early if the client goes away or the simulator closes. */
  hang(c: Context): Promise<Response>;
  /** Destroys the connection without an HTTP answer (Node server); elsewhere, hangs. */
  drop(c: Context): Response | Promise<Response>;
}

/** `closing`: aborted when the simulator stops (weishouyin's has no stop, so none). */
export function connectionFaults(opts: { hangMs: number; closing?: AbortSignal }): ConnectionFaults {
  async function hang(c: Context): Promise<Response> {
    await sleep(opts.hangMs, c.req.raw.signal, opts.closing);
    return gatewayPage(c, 504);
  }

  function drop(c: Context): Response | Promise<Response> {
    const socket = (c.env as { incoming?: { socket?: { destroy?: () => void } } } | undefined)?.incoming?.socket;
    if (socket && typeof socket.destroy === 'function') {
      socket.destroy();
      return new Response(null, { status: 500 });
    }
    return hang(c);
  }

  return { hang, drop };
}
