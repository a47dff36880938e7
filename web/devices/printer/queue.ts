/**
 * The print queue: one job at a time, kept in IndexedDB, never printed twice unless the
 * cashier asks for it.
 *
 * - Every job has an id. A receipt printed automatically is `receipt:<outNo>`; adding a job
 *   whose id is already known (queued, printing or done) does nothing. A reprint is a new job
 *   with a new id, made only when the cashier presses "打印".
 * - A job is marked `printing` (stored) before its bytes go out and `done` (stored) once the
 *   link took them. A done job is never sent again.
 * - A job still `printing` was interrupted: the link broke mid-write, or the tab closed before
 *   `done` was stored. Nobody can know how much of it came out, so it is sent again in full —
 *   but only once the printer is back and reports a good status on the new link (or, on a link
 *   that cannot read status, once it reopened). A receipt printed one and a half times is
 *   better than one lost.
 * - Before each job the printer's status is read (DLE EOT). Paper out, cover open, offline or
 *   an error hold the job — it stays queued, nothing is lost — and the status is read again
 *   every `holdPollMs` until it is good.
 * - While idle, the status is read every `idlePollMs`, so the chip shows a cover opened or a
 *   roll run out before the next sale.
 *
 * Plain TypeScript; the link and the storage are injected, so these rules are unit-tested.
 */
import { canPrint, stateOf, type PrinterState, type PrinterStatus } from './status.ts';
import { readStatus, type PrinterTransport } from './transport.ts';

export type JobKind = 'receipt' | 'reprint' | 'bill' | 'drawer' | 'test';
export type JobState = 'queued' | 'printing' | 'done' | 'cancelled';

export interface PrintJob {
  id: string;
  kind: JobKind;
  /** For the cashier: the order number, "测试页"… */
  label: string;
  /** Dropped (emptied) once done. */
  bytes: Uint8Array;
  state: JobState;
  /** Order of arrival. */
  seq: number;
  createdAt: string;
  /** How many times the bytes started going out (more than 1: resent after an interruption). */
  attempts: number;
  doneAt?: string;
}

export type NewJob = Pick<PrintJob, 'id' | 'kind' | 'label' | 'bytes'>;

export interface JobStore {
  /** Adds the job unless its id exists; true when added. Atomic. */
  add(job: PrintJob): Promise<boolean>;
  put(job: PrintJob): Promise<void>;
  get(id: string): Promise<PrintJob | undefined>;
  /** Jobs queued or printing, in order of arrival. */
  pending(): Promise<PrintJob[]>;
}

export interface QueueOptions {
  /** A link that can read but gets no status answer: hold (true) or print anyway (false). */
  requireStatus?: boolean;
  statusTimeoutMs?: number;
  holdPollMs?: number;
  idlePollMs?: number;
  now?: () => Date;
}

export interface QueueEvents {
  /** What the chip shows; `status` is the last one read (null: not readable). */
  onState?(state: PrinterState, status: PrinterStatus | null): void;
  /** The link failed while in use: the caller closes it and reconnects. */
  onBroken?(err: unknown): void;
  /** A job was added, started, finished or cancelled. */
  onChange?(): void;
}

interface Attached {
  t: PrinterTransport;
}

export class PrintQueue {
  readonly #store: JobStore;
  readonly #events: QueueEvents;
  readonly #opts: Required<Omit<QueueOptions, 'now'>> & { now: () => Date };
  #link: Attached | null = null;
  #running = false;
  #stopped = true;
  #wake: (() => void) | null = null;
  #seq = 0;
  #state: PrinterState = 'none';
  #configured = false;
  /** The id of the job whose bytes are going out right now. */
  #writing: string | null = null;

  constructor(store: JobStore, events: QueueEvents = {}, opts: QueueOptions = {}) {
    this.#store = store;
    this.#events = events;
    this.#opts = {
      requireStatus: opts.requireStatus ?? true,
      statusTimeoutMs: opts.statusTimeoutMs ?? 500,
      holdPollMs: opts.holdPollMs ?? 1_000,
      idlePollMs: opts.idlePollMs ?? 3_000,
      now: opts.now ?? (() => new Date()),
    };
  }

  get state(): PrinterState {
    return this.#state;
  }

  /** A printer is chosen (the chip shows offline rather than none while no link is up). */
  set configured(on: boolean) {
    this.#configured = on;
    if (!this.#link) this.#setState(on ? 'offline' : 'none', null);
  }

  set requireStatus(on: boolean) {
    this.#opts.requireStatus = on;
    this.wake();
  }

  /** A freshly opened link. Jobs resume on it; interrupted ones only after it reports good. */
  attach(t: PrinterTransport): void {
    this.#link = { t };
    this.#setState('connecting', null);
    this.wake();
  }

  /** The link is gone (closed, unplugged). */
  detach(): void {
    this.#link = null;
    this.#setState(this.#configured ? 'offline' : 'none', null);
    this.wake();
  }

  get transport(): PrinterTransport | null {
    return this.#link?.t ?? null;
  }

  /** Adds a job unless one with the same id was ever added. True when it was added. */
  async enqueue(job: NewJob): Promise<boolean> {
    const seq = this.#nextSeq();
    const added = await this.#store.add({
      ...job,
      state: 'queued',
      seq,
      createdAt: this.#opts.now().toISOString(),
      attempts: 0,
    });
    if (added) {
      this.#events.onChange?.();
      this.wake();
    }
    return added;
  }

  /** Drops a job that has not started (or was interrupted); a job being written cannot be taken back. */
  async cancel(id: string): Promise<boolean> {
    const job = await this.#store.get(id);
    if (!job || job.state === 'done' || job.state === 'cancelled' || this.#writing === id) return false;
    await this.#store.put({ ...job, state: 'cancelled', bytes: new Uint8Array(0) });
    this.#events.onChange?.();
    return true;
  }

  start(): void {
    if (this.#running) return;
    this.#stopped = false;
    this.#running = true;
    void this.#loop().finally(() => (this.#running = false));
  }

  /** Stops after the current step (tests; nothing is lost: jobs stay stored). */
  stop(): void {
    this.#stopped = true;
    this.wake();
  }

  /** Something changed (a job, a link, a setting): look again now. */
  wake(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }

  /** Resolves when nothing is pending (or `timeoutMs` passed): for tests and "print then…". */
  async idle(timeoutMs = 10_000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if ((await this.#store.pending()).length === 0 && this.#writing === null) return true;
      await new Promise((r) => setTimeout(r, 10));
    }
    return false;
  }

  #nextSeq(): number {
    // Milliseconds × 1000 + a counter: ordered across reloads and within one millisecond.
    const base = this.#opts.now().getTime() * 1000;
    this.#seq = Math.max(this.#seq + 1, base);
    return this.#seq;
  }

  #setState(state: PrinterState, status: PrinterStatus | null): void {
    this.#state = state;
    this.#events.onState?.(state, status);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.#wake === done) this.#wake = null;
        resolve();
      }, ms);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#wake = done;
    });
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      const link = this.#link;
      if (!link) {
        await this.#sleep(60_000);
        continue;
      }
      try {
        await this.#step(link);
      } catch (err) {
        // Not the link (that is #broken): the job store failed. Nothing was marked done; try again.
        console.error('print queue', err);
        await this.#sleep(this.#opts.holdPollMs);
      }
    }
  }

  /**
   * The link failed (unplugged, port closed under us): whatever was being written stays
   * `printing` in the store and is resent once a new link reports good.
   */
  #broken(link: Attached, err: unknown): void {
    if (this.#link !== link) return;
    this.#link = null;
    this.#setState('offline', null);
    this.#events.onBroken?.(err);
  }

  async #step(link: Attached): Promise<void> {
    const { t } = link;
    let status: PrinterStatus | null;
    try {
      status = await readStatus(t, this.#opts.statusTimeoutMs);
    } catch (err) {
      this.#broken(link, err);
      return;
    }
    if (this.#link !== link) return;
    if (status === null && t.info.canRead && this.#opts.requireStatus) {
      // No answer: switched off, or the wrong baud rate. Hold everything.
      this.#setState('offline', null);
      await this.#sleep(this.#opts.holdPollMs);
      return;
    }
    if (status !== null && !canPrint(status)) {
      this.#setState(stateOf(status), status);
      await this.#sleep(this.#opts.holdPollMs);
      return;
    }
    // Good (or a link that cannot tell): this is the confirmation an interrupted job waits for.
    this.#setState('ready', status);

    const [job] = await this.#store.pending();
    if (!job) {
      await this.#sleep(this.#opts.idlePollMs);
      return;
    }
    if (this.#link !== link || this.#stopped) return;
    await this.#print(link, job);
  }

  async #print(link: Attached, job: PrintJob): Promise<void> {
    const started: PrintJob = { ...job, state: 'printing', attempts: job.attempts + 1 };
    await this.#store.put(started);
    this.#writing = job.id;
    this.#events.onChange?.();
    try {
      await link.t.write(job.bytes);
    } catch (err) {
      this.#broken(link, err);
      return;
    } finally {
      this.#writing = null;
    }
    await this.#store.put({ ...started, state: 'done', bytes: new Uint8Array(0), doneAt: this.#opts.now().toISOString() });
    this.#events.onChange?.();
  }
}

/** A JobStore in memory (tests, and a browser without IndexedDB). */
export class MemoryJobStore implements JobStore {
  readonly jobs = new Map<string, PrintJob>();

  async add(job: PrintJob): Promise<boolean> {
    if (this.jobs.has(job.id)) return false;
    this.jobs.set(job.id, structuredClone(job));
    return true;
  }
  async put(job: PrintJob): Promise<void> {
    this.jobs.set(job.id, structuredClone(job));
  }
  async get(id: string): Promise<PrintJob | undefined> {
    const j = this.jobs.get(id);
    return j && structuredClone(j);
  }
  async pending(): Promise<PrintJob[]> {
    return [...this.jobs.values()]
      .filter((j) => j.state === 'queued' || j.state === 'printing')
      .sort((a, b) => a.seq - b.seq)
      .map((j) => structuredClone(j));
  }
}
