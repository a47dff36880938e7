/**
 * Who sees what in a chain: a cashier sees its own terminal's payments (the routes check that), a
 * store's manager everything of that store, a chain manager (no store) everything, or one store
 * when it asks for one (`?store=`).
 */
import type { Terminal } from '../auth/terminals.ts';
import { ApiError } from '../http/errors.ts';
import type { Stores } from './registry.ts';

/** Whether `terminal` may see a record of `storeId` (undefined: a terminal/payment of the default store). */
export function inScope(terminal: Terminal, storeId: string | undefined, stores: Stores): boolean {
  if (terminal.role === 'manager' && terminal.storeId === undefined) return true;
  return (terminal.storeId ?? stores.default.id) === (storeId ?? stores.default.id);
}

/** Whether `terminal` may see and manage terminal `t`: a cashier of no store is the default store's; a manager of none, the chain's. */
export function terminalInScope(terminal: Terminal, t: Terminal, stores: Stores): boolean {
  if (terminal.role === 'manager' && terminal.storeId === undefined) return true;
  const storeOf = t.role === 'cashier' ? (t.storeId ?? stores.default.id) : t.storeId;
  return storeOf === (terminal.storeId ?? stores.default.id);
}

/**
 * The store a list or report is limited to: a store-bound terminal's own (asking for another is 403),
 * else the one asked for (`?store=`), else none (the whole chain).
 */
export function storeFilter(terminal: Terminal, asked: string | undefined, stores: Stores): string | undefined {
  if (asked !== undefined && asked !== '' && !stores.get(asked)) throw new ApiError(400, 'store_unknown', '没有这个门店 / No such store');
  const own = terminal.role === 'manager' ? terminal.storeId : (terminal.storeId ?? stores.default.id);
  if (own !== undefined) {
    if (asked && asked !== own) throw new ApiError(403, 'store_forbidden', '只能查看本店的数据 / You can only see your own store');
    return own;
  }
  return asked || undefined;
}
