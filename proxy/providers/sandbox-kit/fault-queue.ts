/**
 * The faults a sandbox's back office injects: each is queued for one operation (or 'any') and is
 * taken by the next `count` calls of it, first queued first. What a fault kind DOES is the
 * simulator's business; this only keeps the queue.
 */

/** One queued fault, as GET /_admin/faults lists it; `Extra` holds kind-specific fields (an errcode…). */
export type QueuedFault<Op extends string, Kind extends string, Extra extends object = {}> = {
  op: Op;
  fault: Kind;
  /** Calls it still applies to. */
  remaining: number;
} & Partial<Extra>;

export class FaultQueue<Op extends string, Kind extends string, Extra extends object = {}> {
  readonly #faults: QueuedFault<Op, Kind, Extra>[] = [];

  /** The fault for a call of `op` (a fault queued for 'any' matches every op), counted down; undefined when none. */
  take(op: Op): QueuedFault<Op, Kind, Extra> | undefined {
    const i = this.#faults.findIndex((f) => f.op === op || f.op === 'any');
    if (i < 0) return undefined;
    const f = this.#faults[i];
    if (--f.remaining <= 0) this.#faults.splice(i, 1);
    return f;
  }

  add(op: Op, fault: Kind, count = 1, extra?: Partial<Extra>): void {
    this.#faults.push({ op, fault, remaining: count, ...extra } as QueuedFault<Op, Kind, Extra>);
  }

  /** The queue itself, in order (what the back office answers). */
  list(): readonly QueuedFault<Op, Kind, Extra>[] {
    return this.#faults;
  }

  clear(): void {
    this.#faults.length = 0;
  }

  /** How many faults are queued. */
  get count(): number {
    return this.#faults.length;
  }
}
