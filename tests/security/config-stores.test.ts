/**
 * A chain's `stores` in the config file: each store's credentials are its own secrets, a live chain
 * needs every store's provider credentials (the top level may hold only the shared base URL), and a
 * malformed list refuses to start.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configForStore, configuredSecrets, loadConfig, storesOf } from '../../proxy/config.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pos-stores-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let seq = 0;
const load = (content: unknown) => {
  const file = join(dir, `pos-${++seq}.json`);
  writeFileSync(file, JSON.stringify(content));
  return loadConfig({ POS_CONFIG: file });
};

describe('stores in the configuration', () => {
  it('without stores: one store, main, from storeName and providers', () => {
    const c = load({ storeName: '一家店', providers: ['mct1'] });
    expect(storesOf(c)).toEqual([{ id: 'main', name: '一家店', providers: ['mct1'] }]);
  });

  it("merges a store's own provider sections over the top level, and counts its credentials as secrets", () => {
    const c = load({
      mct1: { baseUrl: 'https://api.example.com/mct1' },
      stores: [
        { id: 'sh01', name: '上海一店', providers: ['mct1'], mct1: { openId: 'sh-open', openKey: 'sh-key-5566' } },
        { id: 'bj01', name: '北京一店', providers: ['mct1'], mct1: { openId: 'bj-open', openKey: 'bj-key-7788', shopPass: 'bj-pass-99' } },
      ],
    });
    expect(c.mode).toBe('live');
    const bj = configForStore(c, storesOf(c)[1]!);
    expect(bj.mct1).toMatchObject({ baseUrl: 'https://api.example.com/mct1', openId: 'bj-open', openKey: 'bj-key-7788' });
    expect(bj.storeName).toBe('北京一店');
    expect(configuredSecrets(c)).toEqual(expect.arrayContaining(['sh-key-5566', 'bj-key-7788', 'bj-pass-99']));
  });

  it("refuses a live chain where a store's provider has no credentials, naming the store", () => {
    expect(() =>
      load({
        mct1: { baseUrl: 'https://api.example.com/mct1' },
        stores: [
          { id: 'sh01', name: '上海一店', providers: ['mct1'], mct1: { openId: 'sh-open', openKey: 'sh-key-5566' } },
          { id: 'bj01', name: '北京一店', providers: ['mct1'] },
        ],
      }),
    ).toThrow(/stores\[bj01\]: live mode with mct1 needs/);
  });

  it('refuses duplicated ids, malformed ids, nameless stores and unknown providers', () => {
    const one = (s: unknown) => () => load({ stores: [s] });
    expect(() => load({ stores: [{ id: 'a', name: 'A', providers: ['mct1'] }, { id: 'a', name: 'B', providers: ['mct1'] }] })).toThrow(/appears twice/);
    expect(one({ id: 'a b', name: 'A', providers: ['mct1'] })).toThrow(/letters, digits/);
    expect(one({ id: 'a', name: ' ', providers: ['mct1'] })).toThrow(/needs a name/);
    expect(one({ id: 'a', name: 'A', providers: [] })).toThrow(/at least one provider/);
    expect(one({ id: 'a', name: 'A', providers: ['paypal'] })).toThrow(/unknown provider "paypal"/);
  });
});
