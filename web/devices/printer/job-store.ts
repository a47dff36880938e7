/**
 * The print queue's own IndexedDB database, `pos-printer`: kept apart from `pos` (payments),
 * so its schema changes never touch the payments' database, and clearing it can never lose a
 * payment. Strict durability like `pos`: a job marked done must stay done after a power cut,
 * or the receipt would print again.
 */
import Dexie, { type EntityTable } from 'dexie';
import type { JobStore, PrintJob } from './queue.ts';

/** Finished jobs are kept (without their bytes) this long, so their ids still block a second print. */
const KEEP_DONE_MS = 30 * 24 * 3600_000;

class PrinterDb extends Dexie {
  jobs!: EntityTable<PrintJob, 'id'>;

  constructor(name: string) {
    super(name, { chromeTransactionDurability: 'strict' });
    this.version(1).stores({ jobs: 'id, state, seq, createdAt' });
  }
}

export class DexieJobStore implements JobStore {
  readonly #db: PrinterDb;

  constructor(name = 'pos-printer') {
    this.#db = new PrinterDb(name);
  }

  add(job: PrintJob): Promise<boolean> {
    return this.#db.transaction('rw', this.#db.jobs, async () => {
      if (await this.#db.jobs.get(job.id)) return false;
      await this.#db.jobs.add(job);
      return true;
    });
  }

  async put(job: PrintJob): Promise<void> {
    await this.#db.jobs.put(job);
  }

  get(id: string): Promise<PrintJob | undefined> {
    return this.#db.jobs.get(id);
  }

  pending(): Promise<PrintJob[]> {
    return this.#db.jobs.where('state').anyOf('queued', 'printing').sortBy('seq');
  }

  /** The newest jobs, for the settings screen. */
  recent(limit = 10): Promise<PrintJob[]> {
    return this.#db.jobs.orderBy('seq').reverse().limit(limit).toArray();
  }

  /** Forgets finished jobs older than a month. */
  async prune(now = new Date()): Promise<void> {
    const before = new Date(now.getTime() - KEEP_DONE_MS).toISOString();
    await this.#db.jobs.where('createdAt').below(before).and((j) => j.state === 'done' || j.state === 'cancelled').delete();
  }
}
