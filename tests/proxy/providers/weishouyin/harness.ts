/** Test harness: the 微收银 simulator mounted in a parent Hono app, served over real HTTP on loopback. */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createWeishouyinProvider, type WeishouyinOptions } from '../../../../proxy/providers/weishouyin/client.ts';
import { createWeishouyinSimulator, type WeishouyinSimulatorOptions } from '../../../../proxy/providers/weishouyin/simulator.ts';
import type { CallRecord, ProviderStateStore } from '../../../../proxy/providers/types.ts';

export function memoryStore(initial: Record<string, string> = {}): ProviderStateStore & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    get: (k) => data.get(k),
    set: (k, v) => void data.set(k, v),
    delete: (k) => void data.delete(k),
  };
}

export interface Sandbox {
  sim: ReturnType<typeof createWeishouyinSimulator>;
  baseUrl: string;
  /** Every CallRecord of every client made with `client()`. */
  calls: CallRecord[];
  admin(path: string, init?: RequestInit): Promise<Response>;
  client(over?: Partial<WeishouyinOptions>): ReturnType<typeof createWeishouyinProvider> & { calls: CallRecord[]; store: ReturnType<typeof memoryStore> };
  freshCode(): Promise<string>;
  close(): Promise<void>;
}

export async function startSandbox(opts: WeishouyinSimulatorOptions = {}): Promise<Sandbox> {
  const sim = createWeishouyinSimulator({ hangMs: 1_000, ...opts });
  const parent = new Hono();
  parent.route('/sandbox/weishouyin', sim.app);
  const server: ServerType = serve({ fetch: parent.fetch, port: 0, hostname: '127.0.0.1' });
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}/sandbox/weishouyin`;
  const calls: CallRecord[] = [];
  const admin = (path: string, init?: RequestInit) => fetch(`${baseUrl}/_admin${path}`, init);
  const freshCode = async () => ((await (await admin('/activation-codes', { method: 'POST' })).json()) as { code: string }).code;
  return {
    sim,
    baseUrl,
    calls,
    admin,
    freshCode,
    client(over = {}) {
      const own: CallRecord[] = [];
      const store = (over.store as ReturnType<typeof memoryStore> | undefined) ?? memoryStore();
      const client = createWeishouyinProvider({
        baseUrl,
        timeoutMs: 2_000,
        ...over,
        store,
        onCall: (c) => {
          own.push(c);
          calls.push(c);
        },
      });
      return Object.assign(client, { calls: own, store });
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      });
    },
  };
}
