/**
 * When a kiosk may load a new version of the app (DESIGN "PWA", issue 5).
 *
 * A kiosk tab is never closed, so a new service worker would wait forever: the page asks the
 * server for one periodically, and activates a waiting one (which reloads the page) only when
 * the terminal is idle — never in the middle of a payment. Plain TypeScript, its I/O injected,
 * so the rule is unit-tested in Node.
 */
import type { Phase } from './payments.svelte.ts';

/** What the terminal is doing, as far as an update is concerned. */
export interface TerminalActivity {
  /** The app's screen: `checkout`, or a manager's list (orders, pass cards). */
  view: string;
  phase: Phase;
  /** On the payment screen: the payment shown has ended. */
  paymentFinal: boolean;
  amountText: string;
  billText: string;
  /** A payment is being stored and sent right now. */
  submitting: boolean;
  /** Payments in IndexedDB that are not final (the outbox, every tab's). */
  unfinished: number;
  /** Since the last key or touch on the page. */
  quietMs: number;
}

/** Why a new version is not loaded now. */
export type UpdateHold = 'payment' | 'outbox' | 'screen' | 'sale' | 'busy';

export const HOLD_TEXT: Record<UpdateHold, string> = {
  payment: '交易进行中，结束后再更新 / A payment is in progress — it updates afterwards',
  outbox: '有交易待确认，确认后再更新 / Payments are still being confirmed — it updates afterwards',
  screen: '回到收银页面后自动更新 / Updates once back on the checkout',
  sale: '当前交易结束后自动更新 / Updates after the current sale',
  busy: '空闲时自动更新 / Updates when the terminal is idle',
};

/** A key or touch this recent means someone is at the till. */
export const QUIET_MS = 60_000;
/** How often the server is asked for a new version. */
export const CHECK_EVERY_MS = 30 * 60_000;
/** How often a waiting version looks for an idle moment. */
export const IDLE_TICK_MS = 15_000;

/**
 * Why the page may not reload even when asked to (the prompt's button): a payment on screen
 * that has not ended, one being sent, or any payment not final in the outbox.
 */
export function reloadHold(a: TerminalActivity): UpdateHold | null {
  if (a.submitting || (a.phase === 'payment' && !a.paymentFinal)) return 'payment';
  if (a.unfinished > 0) return 'outbox';
  return null;
}

/**
 * Why the kiosk should not update by itself yet: on top of {@link reloadHold}, it waits for the
 * empty amount screen of the checkout and a quiet minute, so nobody loses what they were keying.
 */
export function autoUpdateHold(a: TerminalActivity, quietMs = QUIET_MS): UpdateHold | null {
  const hold = reloadHold(a);
  if (hold) return hold;
  if (a.view !== 'checkout' || a.phase !== 'amount') return 'screen';
  if (a.amountText.trim() !== '' || a.billText.trim() !== '') return 'sale';
  if (a.quietMs < quietMs) return 'busy';
  return null;
}

export interface UpdateSchedulerDeps {
  /** Asks the server for a new service worker (`registration.update()`). */
  check(): Promise<unknown>;
  /** What the terminal is doing now (the outbox read from IndexedDB, not a cached count). */
  activity(): Promise<TerminalActivity>;
  /** Activates the waiting worker (SKIP_WAITING); the page reloads once it controls the page. */
  apply(): Promise<unknown> | void;
  /** Reloads the page (the new worker controls it already). */
  reload(): void;
  /** Skip the periodic check while the browser knows it is offline. */
  online?(): boolean;
  checkEveryMs?: number;
  tickMs?: number;
  quietMs?: number;
}

export class UpdateScheduler {
  readonly #deps: UpdateSchedulerDeps;
  #timers: ReturnType<typeof setInterval>[] = [];
  /** A new version is installed and waiting to be activated. */
  #waiting = false;
  /** A new version controls the page already (activated here or by another tab): reload. */
  #mustReload = false;
  #applying = false;

  constructor(deps: UpdateSchedulerDeps) {
    this.#deps = deps;
  }

  start(): void {
    this.stop();
    this.#timers = [
      setInterval(() => void this.check(), this.#deps.checkEveryMs ?? CHECK_EVERY_MS),
      setInterval(() => void this.tick(), this.#deps.tickMs ?? IDLE_TICK_MS),
    ];
  }

  stop(): void {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
  }

  async check(): Promise<void> {
    if (this.#deps.online && !this.#deps.online()) return;
    try {
      await this.#deps.check();
    } catch {
      // Unreachable server: the next check will do.
    }
  }

  /** A new version finished installing and waits. */
  waiting(): Promise<boolean> {
    this.#waiting = true;
    return this.tick();
  }

  /** The new version took control of this page: reload as soon as no payment is on screen. */
  controlled(): Promise<boolean> {
    this.#mustReload = true;
    return this.tick();
  }

  /** Applies or reloads when the terminal allows it; true when it did. */
  async tick(): Promise<boolean> {
    if (this.#mustReload) {
      if (reloadHold(await this.#deps.activity())) return false;
      this.stop();
      this.#deps.reload();
      return true;
    }
    if (!this.#waiting || this.#applying) return false;
    if (autoUpdateHold(await this.#deps.activity(), this.#deps.quietMs)) return false;
    return this.#apply();
  }

  /** The prompt's button: at once, unless a payment is in progress. Null when applied. */
  async applyNow(): Promise<UpdateHold | null> {
    const hold = reloadHold(await this.#deps.activity());
    if (hold) return hold;
    await this.#apply();
    return null;
  }

  async #apply(): Promise<boolean> {
    if (this.#applying) return false;
    this.#applying = true;
    try {
      await this.#deps.apply();
      return true;
    } catch {
      this.#applying = false;
      return false;
    }
  }
}

/**
 * Registers the service worker and starts the scheduler on it (loaded after the first screen:
 * the service worker is not needed to take a payment).
 */
export async function startUpdates(opts: {
  activity: () => Promise<TerminalActivity>;
  /** A new version waits: show the prompt. */
  onNeedRefresh: () => void;
}): Promise<UpdateScheduler> {
  const { registerSW } = await import('virtual:pwa-register');
  let registration: ServiceWorkerRegistration | undefined;
  const s = new UpdateScheduler({
    check: async () => registration?.update(),
    activity: opts.activity,
    apply: () => update(),
    reload: () => location.reload(),
    online: () => navigator.onLine,
  });
  const update = registerSW({
    immediate: true,
    onNeedRefresh: () => {
      opts.onNeedRefresh();
      void s.waiting();
    },
    // The new worker controls the page (applied here, or by another tab): reload when no payment is on.
    onNeedReload: () => void s.controlled(),
    onRegisteredSW: (_url, r) => (registration = r),
    onRegisterError: (err) => console.warn('service worker registration failed', err),
  });
  s.start();
  return s;
}
