/**
 * The supervisor password (config `supervisorPassword`): what lets a cashier terminal do a
 * password-checked action (a refund) with the owner standing at the till. Wrong passwords are
 * counted per terminal; `maxFailures` of them within `windowMs` lock that terminal out of every
 * password-checked action for `lockMs`. While locked, even the right password is refused, so a
 * lock cannot be lifted early by guessing right.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../http/errors.ts';
import { RateLimitError, type LimitStore } from '../http/rate-limit.ts';
import type { Terminal } from './terminals.ts';

export interface SupervisorLimits {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

/** How an action was allowed: by the terminal's role, or by the supervisor password typed on a cashier terminal. */
export type AuthorizedBy = 'manager' | 'supervisor_password';

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

export class SupervisorGate {
  readonly #password: string | undefined;
  readonly #store: LimitStore;
  readonly #limits: SupervisorLimits;
  readonly #now: () => number;

  constructor(password: string | undefined, store: LimitStore, limits: SupervisorLimits, now: () => number = Date.now) {
    this.#password = password || undefined;
    this.#store = store;
    this.#limits = limits;
    this.#now = now;
  }

  /**
   * A manager passes; a cashier needs the supervisor password. Throws 403 `supervisor_required` (none
   * given or none configured), 403 `supervisor_password_wrong`, or 429 `supervisor_locked` (with
   * Retry-After) when this wrong password was one too many or the terminal is locked already.
   */
  authorize(terminal: Terminal, given: unknown): AuthorizedBy {
    if (terminal.role === 'manager') return 'manager';
    const key = `supervisor:${terminal.id}`;
    const now = this.#now();
    const until = this.#store.lockedUntil(key, now);
    if (until !== undefined) throw locked(until - now);
    if (!this.#password || typeof given !== 'string' || given === '') {
      throw new ApiError(403, 'supervisor_required', '退款需要店长权限或主管密码 / Refunds need a manager or the supervisor password');
    }
    if (this.matches(given)) return 'supervisor_password';
    const w = this.#store.hit(key, this.#limits.windowMs, now);
    if (w.count >= this.#limits.maxFailures) {
      this.#store.reset(key);
      this.#store.lock(key, now + this.#limits.lockMs);
      throw locked(this.#limits.lockMs);
    }
    const left = this.#limits.maxFailures - w.count;
    throw new ApiError(
      403,
      'supervisor_password_wrong',
      `主管密码错误，再错 ${left} 次本终端将被锁定 ${minutes(this.#limits.lockMs)} 分钟 / Wrong supervisor password: ${left} more and this terminal is locked for ${minutes(this.#limits.lockMs)} min`,
    );
  }

  /** When a terminal's lock-out ends (ms since the epoch); undefined when it is not locked out. */
  lockedUntil(terminalId: string): number | undefined {
    return this.#store.lockedUntil(`supervisor:${terminalId}`, this.#now());
  }

  /**
   * A manager lifts a terminal's lock-out early (the owner is at the till); its count of wrong
   * passwords starts again from nothing. Returns whether it was locked.
   */
  unlock(terminalId: string): boolean {
    const key = `supervisor:${terminalId}`;
    const was = this.#store.lockedUntil(key, this.#now()) !== undefined;
    this.#store.unlock(key);
    this.#store.reset(key);
    return was;
  }

  /** Constant time whatever the lengths (both sides hashed first). */
  matches(given: unknown): boolean {
    if (!this.#password || typeof given !== 'string') return false;
    const h = (s: string) => createHash('sha256').update(s).digest();
    return timingSafeEqual(h(given), h(this.#password));
  }
}

function locked(retryAfterMs: number): RateLimitError {
  const m = minutes(retryAfterMs);
  return new RateLimitError(
    retryAfterMs,
    'supervisor_locked',
    `主管密码错误次数过多，本终端已锁定，请 ${m} 分钟后再试或请店长操作 / Too many wrong supervisor passwords: this terminal is locked for ${m} min — try later or ask a manager`,
  );
}
