/**
 * Rate limits and lock-outs: counts per key in fixed windows. One proxy keeps them in memory
 * (MemoryLimitStore); several proxies over one database (issue 8) need a `LimitStore` backed by a
 * table with the same four calls, so a limit holds across them.
 */
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { ApiError } from './errors.ts';

export interface Window {
  /** Events counted in the window so far. */
  count: number;
  /** When the window ends (ms since the epoch). */
  resetAt: number;
}

/** Where counts and locks live. Every call is given `now`, so a store never reads a clock of its own. */
export interface LimitStore {
  /** Counts one event for `key`; a window starts with the first event and lasts `windowMs`. */
  hit(key: string, windowMs: number, now: number): Window;
  /** The window in force for `key`, without counting; undefined when none is. */
  peek(key: string, now: number): Window | undefined;
  /** Forgets `key`'s window. */
  reset(key: string): void;
  /** Locks `key` until `until`; `lockedUntil` answers it while it holds. */
  lock(key: string, until: number): void;
  lockedUntil(key: string, now: number): number | undefined;
  /** Lifts `key`'s lock early (a manager's decision). */
  unlock(key: string): void;
}

export class MemoryLimitStore implements LimitStore {
  readonly #windows = new Map<string, Window>();
  readonly #locks = new Map<string, number>();

  hit(key: string, windowMs: number, now: number): Window {
    this.#prune(now);
    let w = this.#windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs };
      this.#windows.set(key, w);
    }
    w.count += 1;
    return { ...w };
  }

  peek(key: string, now: number): Window | undefined {
    const w = this.#windows.get(key);
    return w && w.resetAt > now ? { ...w } : undefined;
  }

  reset(key: string): void {
    this.#windows.delete(key);
  }

  lock(key: string, until: number): void {
    this.#locks.set(key, until);
  }

  unlock(key: string): void {
    this.#locks.delete(key);
  }

  lockedUntil(key: string, now: number): number | undefined {
    const until = this.#locks.get(key);
    if (until === undefined) return undefined;
    if (until <= now) {
      this.#locks.delete(key);
      return undefined;
    }
    return until;
  }

  /** Expired windows go when the map grows, so many clients cannot fill memory. */
  #prune(now: number): void {
    if (this.#windows.size < 10_000) return;
    for (const [k, w] of this.#windows) if (w.resetAt <= now) this.#windows.delete(k);
    for (const [k, until] of this.#locks) if (until <= now) this.#locks.delete(k);
  }
}

/** 429 with Retry-After (whole seconds, at least 1) and a message in Chinese and English. */
export class RateLimitError extends ApiError {
  /** The first refusal of its window (the one worth logging; the rest of a flood is not). */
  firstInWindow = true;
  constructor(
    readonly retryAfterMs: number,
    code = 'rate_limited',
    message = `操作过于频繁，请 ${Math.max(1, Math.ceil(retryAfterMs / 1000))} 秒后再试 / Too many attempts: try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s`,
  ) {
    super(429, code, message);
    this.headers = { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) };
  }
}

/** A limit of `max` events per `windowMs` on one kind of key. */
export class RateLimit {
  constructor(
    readonly name: string,
    readonly store: LimitStore,
    readonly limit: { max: number; windowMs: number },
    readonly now: () => number = Date.now,
  ) {}

  /** Counts an event; throws 429 once the window holds more than `max`. Returns the count. */
  take(key: string): number {
    const w = this.store.hit(`${this.name}:${key}`, this.limit.windowMs, this.now());
    if (w.count > this.limit.max) {
      const err = new RateLimitError(w.resetAt - this.now());
      err.firstInWindow = w.count === this.limit.max + 1;
      throw err;
    }
    return w.count;
  }

  /** Throws 429 while the window is full, without counting (for limits that count only failures). */
  check(key: string): void {
    const w = this.store.peek(`${this.name}:${key}`, this.now());
    if (w && w.count >= this.limit.max) throw new RateLimitError(w.resetAt - this.now());
  }

  /** Counts a failure (after `check`). */
  fail(key: string): void {
    this.store.hit(`${this.name}:${key}`, this.limit.windowMs, this.now());
  }
}

/**
 * The client's address: the socket's peer, or behind a reverse proxy (`trustProxy`) the last entry of
 * X-Forwarded-For (the one our own reverse proxy added; earlier ones are the client's to forge).
 */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const last = c.req.header('x-forwarded-for')?.split(',').pop()?.trim();
    if (last) return last;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // Not on Node (app.request() in a unit test): one shared bucket.
    return 'unknown';
  }
}
