/**
 * `GET /api/events` (Server-Sent Events) read with fetch + ReadableStream, because
 * EventSource cannot send the `Authorization: Bearer` header. Reconnects with backoff
 * and resumes from the last event id.
 */

export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

/**
 * The text/event-stream parser (WHATWG HTML §9.2.6), fed chunk by chunk. Pure, so it can
 * be tested with arbitrary chunk boundaries.
 */
export class SseParser {
  #buf = '';
  #event = '';
  #data: string[] = [];
  #id: string | undefined;
  #sawData = false;
  /** The last `retry:` the server asked for, in ms. */
  retryMs: number | undefined;
  lastEventId: string | undefined;

  push(chunk: string): SseMessage[] {
    this.#buf += chunk;
    const out: SseMessage[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.#buf);
      if (!m) break;
      // A lone CR at the very end may be the first half of CRLF: wait for more.
      if (m[0] === '\r' && m.index === this.#buf.length - 1) break;
      const line = this.#buf.slice(0, m.index);
      this.#buf = this.#buf.slice(m.index + m[0].length);
      const msg = this.#line(line);
      if (msg) out.push(msg);
    }
    return out;
  }

  #line(line: string): SseMessage | null {
    if (line === '') {
      // Blank line: dispatch.
      const sawData = this.#sawData;
      const msg: SseMessage = { event: this.#event || 'message', data: this.#data.join('\n'), id: this.#id };
      this.#event = '';
      this.#data = [];
      this.#sawData = false;
      if (this.#id !== undefined) this.lastEventId = this.#id;
      return sawData ? msg : null;
    }
    if (line.startsWith(':')) return null; // comment / keep-alive
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#event = value;
        break;
      case 'data':
        this.#data.push(value);
        this.#sawData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.#id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
    }
    return null;
  }
}

export type StreamState = 'connecting' | 'open' | 'closed';

export interface EventStreamOptions {
  url?: string;
  token: string;
  onMessage: (msg: SseMessage) => void;
  onState?: (state: StreamState) => void;
  /** Called on 401/403: the token is no longer accepted; the stream stops. */
  onUnauthorized?: () => void;
  /** Whether the proxy answered the last attempt at all (false: no connection). */
  onReach?: (reached: boolean) => void;
  /** Subscribes a wake-up that cuts the backoff short (the proxy answered another request); returns the unsubscribe. */
  wakeOn?: (wake: () => void) => () => void;
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** Opens the stream and keeps it open until the returned function is called. */
export function connectEvents(opts: EventStreamOptions): () => void {
  const url = opts.url ?? '/api/events';
  const minDelay = opts.minDelayMs ?? 1_000;
  const maxDelay = opts.maxDelayMs ?? 30_000;
  const stop = new AbortController();
  let lastEventId: string | undefined;
  let failures = 0;
  let serverRetryMs = minDelay;
  let wake: (() => void) | null = null;

  const setState = (s: StreamState) => opts.onState?.(s);
  // Coming back online should not wait out the backoff.
  const onOnline = () => wake?.();
  globalThis.addEventListener?.('online', onOnline);
  const unsubscribe = opts.wakeOn?.(onOnline);

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = null;
        resolve();
      }
      wake = done;
      stop.signal.addEventListener('abort', done, { once: true });
    });

  async function once(): Promise<'retry' | 'stop'> {
    setState('connecting');
    const headers: Record<string, string> = { Accept: 'text/event-stream', Authorization: `Bearer ${opts.token}` };
    if (lastEventId !== undefined) headers['Last-Event-ID'] = lastEventId;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: stop.signal, cache: 'no-store' });
    } catch (err) {
      if (!stop.signal.aborted) opts.onReach?.(false);
      throw err;
    }
    // A gateway's 502/503/504 (the dev server with the proxy down) is no answer from the proxy.
    opts.onReach?.(res.status < 502 || res.status > 504);
    if (res.status === 401 || res.status === 403) {
      opts.onUnauthorized?.();
      return 'stop';
    }
    if (!res.ok || !res.body) return 'retry';
    setState('open');
    failures = 0;
    const parser = new SseParser();
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const msg of parser.push(value)) {
          try {
            opts.onMessage(msg);
          } catch (err) {
            console.error('event handler failed', err);
          }
        }
        if (parser.lastEventId !== undefined) lastEventId = parser.lastEventId;
      }
    } finally {
      reader.releaseLock();
    }
    if (parser.retryMs !== undefined) serverRetryMs = parser.retryMs;
    return 'retry';
  }

  void (async () => {
    while (!stop.signal.aborted) {
      let outcome: 'retry' | 'stop' = 'retry';
      try {
        outcome = await once();
      } catch {
        outcome = 'retry'; // network failure or stream cut
      }
      if (stop.signal.aborted || outcome === 'stop') break;
      setState('closed');
      const delay = Math.min(maxDelay, Math.max(minDelay, serverRetryMs) * 2 ** failures);
      failures++;
      await sleep(delay + Math.random() * 250);
    }
    setState('closed');
    globalThis.removeEventListener?.('online', onOnline);
    unsubscribe?.();
  })();

  return () => stop.abort();
}
