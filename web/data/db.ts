/**
 * The terminal's own IndexedDB (Dexie). A payment is written here before its request
 * leaves the browser (DESIGN "Payment invariants" 2), so a crash, a closed tab or a power
 * cut can never forget it; on the next load every payment that is not final is resumed.
 */
import Dexie, { type EntityTable } from 'dexie';
import type { PairResponse, PayMethodInfo } from '../../contract/api.ts';
import type { FlowStore } from './payment-flow.ts';
import type { PaymentRecord } from './records.ts';
import type { StorageRecord } from './storage.ts';
import { FINAL_STATUSES } from '../../contract/api.ts';

export { isFinal, type PaymentRecord, type LocalStatus } from './records.ts';

export interface SettingsMap {
  terminal: PairResponse;
  /** Last `GET /api/methods` answer, so codes can be routed while the proxy is unreachable. */
  methods: PayMethodInfo[];
  /** The browser's last answer to `navigator.storage.persist()`. */
  storage: StorageRecord;
}

export interface SettingRow<K extends keyof SettingsMap = keyof SettingsMap> {
  key: K;
  value: SettingsMap[K];
}

/** Every transaction of this database, payments included (tested on the instance). */
export const PAYMENT_DURABILITY = 'strict';

export class PosDb extends Dexie {
  payments!: EntityTable<PaymentRecord, 'outNo'>;
  settings!: EntityTable<SettingRow, 'key'>;

  constructor(name = 'pos') {
    // 'strict': a committed payment is flushed to disk, so it survives a power cut (Chrome's
    // default, 'relaxed', reports a write done before it reaches the disk).
    super(name, { chromeTransactionDurability: PAYMENT_DURABILITY });
    this.version(1).stores({
      payments: 'outNo, status, createdAt',
      settings: 'key',
    });
  }

  async getSetting<K extends keyof SettingsMap>(key: K): Promise<SettingsMap[K] | undefined> {
    const row = await this.settings.get(key);
    return row?.value as SettingsMap[K] | undefined;
  }

  async setSetting<K extends keyof SettingsMap>(key: K, value: SettingsMap[K]): Promise<void> {
    await this.settings.put({ key, value } as SettingRow);
  }

  async deleteSetting(key: keyof SettingsMap): Promise<void> {
    await this.settings.delete(key);
  }
}

export const db = new PosDb();

/** The payment flow's store over this database. */
export function dexieStore(d: PosDb): FlowStore {
  return {
    get: (outNo) => d.payments.get(outNo),
    put: async (rec) => {
      await d.payments.put(rec);
    },
    update: (outNo, fn) =>
      d.transaction('rw', d.payments, async () => {
        const rec = await d.payments.get(outNo);
        if (!rec) return undefined;
        const next = fn(rec);
        if (!next) return rec;
        await d.payments.put(next);
        return next;
      }),
    unfinished: () => d.payments.where('status').noneOf([...FINAL_STATUSES]).sortBy('createdAt'),
  };
}
