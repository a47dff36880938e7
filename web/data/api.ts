/**
 * The proxy's HTTP API (shared/API.md), as the browser calls it.
 *
 * Two kinds of failure are kept apart because the payment flow depends on it:
 * - `ApiError`: the proxy answered, with an HTTP status and its `{"error": {code, message}}`.
 * - `NetworkError`: no answer arrived (offline, connection refused or dropped, timeout, or a
 *   gateway in between saying the proxy is unreachable). The request may or may not have
 *   been processed.
 */
import type {
  ApiErrorBody,
  CreatePaymentRequest,
  PairResponse,
  PaymentView,
  PayMethodInfo,
} from '../../contract/api.ts';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly provider?: { code?: string; message?: string },
  ) {
    super(message);
  }
}

export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface RequestOptions {
  body?: unknown;
  /** Milliseconds without an answer before giving up (a NetworkError). */
  timeoutMs?: number;
  signal?: AbortSignal;
  accept?: string;
}

const DEFAULT_TIMEOUT_MS = 20_000;
/** The proxy may hold a payment request while the provider answers. */
const PAY_TIMEOUT_MS = 60_000;

function isErrorBody(x: unknown): x is ApiErrorBody {
  const e = (x as ApiErrorBody | null)?.error;
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.message === 'string';
}

export class Api {
  readonly #base: string;
  #token: string | null = null;
  /**
   * Told after every request whether the proxy answered at all (any HTTP answer of its own) or
   * could not be reached (no answer, a timeout, a gateway's 502/503/504): the store is offline
   * for the cashier either way, even when the browser believes it is online.
   */
  onReach: ((reached: boolean) => void) | null = null;

  constructor(base = '') {
    this.#base = base;
  }

  setToken(token: string | null): void {
    this.#token = token;
  }

  get hasToken(): boolean {
    return this.#token !== null;
  }

  /** Performs a request and returns the raw Response of a 2xx answer. */
  async fetch(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json' };
    if (this.#token) headers.Authorization = `Bearer ${this.#token}`;
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';

    const timeout = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;

    let res: Response;
    try {
      res = await fetch(this.#base + path, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal,
        cache: 'no-store',
      });
    } catch (err) {
      if (opts.signal?.aborted) throw err; // the caller cancelled: not a network failure
      const why = timeout.aborted ? '请求超时 / Request timed out' : '无法连接服务器 / Cannot reach the server';
      this.onReach?.(false);
      throw new NetworkError(why, { cause: err });
    }
    if (res.ok) {
      this.onReach?.(true);
      return res;
    }
    const error = await this.#toError(res);
    this.onReach?.(!(error instanceof NetworkError));
    throw error;
  }

  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.fetch(method, path, opts);
    try {
      return (await res.json()) as T;
    } catch (err) {
      // The answer was cut off mid-body: as far as we know, nothing arrived.
      throw new NetworkError('服务器应答不完整 / Incomplete answer from the server', { cause: err });
    }
  }

  async #toError(res: Response): Promise<Error> {
    const text = await res.text().catch(() => '');
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (isErrorBody(body)) return new ApiError(res.status, body.error.code, body.error.message, body.error.provider);
    // Not the proxy's JSON: a gateway (or the dev server) saying the proxy is unreachable.
    if (res.status === 502 || res.status === 503 || res.status === 504) {
      return new NetworkError(`无法连接服务器 / Cannot reach the server (HTTP ${res.status})`);
    }
    return new ApiError(res.status, `http_${res.status}`, text.slice(0, 200) || `HTTP ${res.status}`);
  }

  // --- The calls the PWA makes -------------------------------------------------------

  pair(code: string): Promise<PairResponse> {
    return this.json('POST', '/api/terminals/pair', { body: { code } });
  }

  methods(): Promise<PayMethodInfo[]> {
    return this.json('GET', '/api/methods');
  }

  createPayment(req: CreatePaymentRequest): Promise<PaymentView> {
    return this.json('POST', '/api/payments', { body: req, timeoutMs: PAY_TIMEOUT_MS });
  }

  getPayment(outNo: string): Promise<PaymentView> {
    return this.json('GET', `/api/payments/${encodeURIComponent(outNo)}`);
  }

  cancelPayment(outNo: string): Promise<unknown> {
    return this.json('POST', `/api/payments/${encodeURIComponent(outNo)}/cancel`, { body: {}, timeoutMs: PAY_TIMEOUT_MS });
  }

  async receipt(outNo: string): Promise<Uint8Array> {
    const res = await this.fetch('GET', `/api/payments/${encodeURIComponent(outNo)}/receipt`, {
      accept: 'application/octet-stream',
    });
    return new Uint8Array(await res.arrayBuffer());
  }
}

export const api = new Api();

/** A sentence for the cashier, zh-CN first, for any error from the calls above. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof NetworkError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
