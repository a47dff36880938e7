/**
 * The daily reconciliation (seed 002 "auto"): once China time has passed `dailyAt`, yesterday is
 * reconciled for every provider with a day bill, as person "auto" (so only orders flagged `auto`
 * get their status from it), unless that day already has a run. A provider that cannot be read is
 * tried again on a later tick; nothing is lost by a missed day (a manager can run any day).
 */
import { DEFAULT_STORE_ID } from '../config.ts';
import type { AuditLog } from '../audit/log.ts';
import { addDays, chinaDayOf, chinaWallClock } from '../china-time.ts';
import { AUTO_PERSON, type Reconciler } from './run.ts';
import type { Settlements } from './settlement.ts';
import type { ReconStore } from './store.ts';

export interface DailyJobDeps {
  reconciler: Reconciler;
  recon: ReconStore;
  settlements: Settlements;
  /** "HH:MM", China time. */
  dailyAt: string;
  now?: () => number;
  log?: (line: string) => void;
  /** Each run leaves a row, like a manager's (actor `system`). */
  audit?: AuditLog;
}

const RETRY_MS = 10 * 60_000;

export class DailyReconciliation {
  readonly #d: DailyJobDeps;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | null = null;
  /** provider|day → when it may be tried again after a failure. */
  readonly #backoff = new Map<string, number>();

  constructor(deps: DailyJobDeps) {
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(deps.dailyAt)) throw new RangeError(`reconciliation.dailyAt must be HH:MM, not ${deps.dailyAt}`);
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  start(everyMs = 60_000): void {
    this.#timer = setInterval(() => void this.tick(), everyMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Runs what is due; returns the provider|day pairs reconciled. */
  async tick(): Promise<string[]> {
    const now = this.#now();
    const chinaClock = chinaWallClock(now).slice(11, 16);
    if (chinaClock < this.#d.dailyAt) return [];
    const day = addDays(chinaDayOf(now), -1);
    const done: string[] = [];
    // Every store's every provider with a bill: a chain's books are reconciled store by store.
    for (const { storeId, provider } of this.#d.reconciler.channels()) {
      const key = storeId === DEFAULT_STORE_ID ? `${provider}|${day}` : `${storeId}/${provider}|${day}`;
      if (this.#d.recon.runs({ provider, storeId }).some((r) => r.day === day)) continue;
      if ((this.#backoff.get(key) ?? 0) > now) continue;
      try {
        const outcome = await this.#d.reconciler.run({ storeId, provider, day, person: AUTO_PERSON });
        this.#d.settlements.refresh(provider, day, AUTO_PERSON, storeId);
        this.#d.audit?.record({ action: 'reconciliation.run', actor: 'system', subject: outcome.run.code, outcome: 'ok', detail: { storeId, provider, day, rows: outcome.rows, carried: outcome.carried } });
        this.#backoff.delete(key);
        done.push(key);
        this.#d.log?.(`reconciled ${key}: ${outcome.rows} rows, ${outcome.carried} carried`);
      } catch (err) {
        this.#backoff.set(key, now + RETRY_MS);
        this.#d.log?.(`reconciliation of ${key} failed, retrying later: ${(err as Error).message}`);
      }
    }
    return done;
  }
}
