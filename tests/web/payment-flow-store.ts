/** A FlowStore for payment-flow tests: an in-memory IndexedDB stand-in that logs every write. */
import type { FlowStore } from '../../web/data/payment-flow.ts';
import { isFinal, type PaymentRecord } from '../../web/data/records.ts';

/** An in-memory store that logs every write, to check what was stored before what was sent. */
export class MemoryStore implements FlowStore {
  rows = new Map<string, PaymentRecord>();
  constructor(readonly log: string[]) {}
  async get(outNo: string) {
    const r = this.rows.get(outNo);
    return r && { ...r };
  }
  async put(rec: PaymentRecord) {
    this.log.push(`put ${rec.outNo} ${rec.status}`);
    this.rows.set(rec.outNo, { ...rec });
  }
  async update(outNo: string, fn: (r: PaymentRecord) => PaymentRecord | null) {
    const r = this.rows.get(outNo);
    if (!r) return undefined;
    const next = fn({ ...r });
    if (!next) return r;
    this.log.push(`update ${outNo} ${next.status}`);
    this.rows.set(outNo, next);
    return next;
  }
  async unfinished() {
    return [...this.rows.values()].filter((r) => !isFinal(r.status)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }
}

