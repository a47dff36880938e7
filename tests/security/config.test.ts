/**
 * Configuration comes from the config file and the environment, never from source: without them
 * the proxy knows no secret at all, each secret reaches its setting from either place, and a live
 * store never falls back to the sandboxes' own well-known credentials (it is refused instead,
 * visibly), while a sandbox store does use them — which is what makes the live check able to fail.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configuredSecrets, defaultConfig, loadConfig } from '../../proxy/config.ts';
import { SANDBOX_SHOP } from '../../proxy/providers/kioskv5/simulator.ts';
import { SANDBOX_STORE } from '../../proxy/providers/mct1/simulator.ts';
import { SANDBOX_SESSION } from '../../proxy/providers/posmini/simulator.ts';
import { SANDBOX_ACTIVATION_CODE } from '../../proxy/providers/weishouyin/index.ts';
import { startStore } from '../../proxy/server.ts';
import { FAST_TIMING, waitFor } from '../helpers/store.ts';
import { startProviderHost, type HostCall, type ProviderHost } from './provider-host.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pos-cfg-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileSeq = 0;
function configFile(content: unknown): string {
  const file = join(dir, `pos-${++fileSeq}.json`);
  writeFileSync(file, JSON.stringify(content));
  return file;
}

/** Each secret: its environment variable, where it lands, and how a config file names it. */
const SECRETS = [
  { env: 'POS_SUPERVISOR_PASSWORD', value: 'env-sup-1a2b', get: (c: any) => c.supervisorPassword, file: (v: string) => ({ supervisorPassword: v }) },
  { env: 'WEISHOUYIN_ACTIVATION_CODE', value: 'env-act-3c4d', get: (c: any) => c.weishouyin.activationCode, file: (v: string) => ({ weishouyin: { activationCode: v } }) },
  { env: 'WEISHOUYIN_KEY', value: 'env-wkey-5e6f', get: (c: any) => c.weishouyin.key, file: (v: string) => ({ weishouyin: { key: v } }) },
  { env: 'MCT1_OPEN_KEY', value: 'env-okey-7a8b', get: (c: any) => c.mct1.openKey, file: (v: string) => ({ mct1: { openKey: v } }) },
  { env: 'MCT1_SHOP_PASS', value: 'env-shop-9c0d', get: (c: any) => c.mct1.shopPass, file: (v: string) => ({ mct1: { shopPass: v } }) },
  { env: 'KIOSKV5_TOKEN', value: 'env-kiosk-1e2f', get: (c: any) => c.kioskv5.auth?.token, file: (v: string) => ({ kioskv5: { auth: { type: 'bearer', token: v } } }) },
  { env: 'POSMINI_TOKEN', value: 'env-pmtok-3a4b', get: (c: any) => c.posmini.auth?.token, file: (v: string) => ({ posmini: { auth: { type: 'bearer', token: v } } }) },
  { env: 'POSMINI_LOGIN_PASSWORD', value: 'env-pmpw-5c6d', get: (c: any) => c.posmini.loginPassword, file: (v: string) => ({ posmini: { loginPassword: v } }) },
];

describe('where secrets come from', () => {
  it('with no config file and no environment, the proxy knows no secret (sandbox mode)', () => {
    expect(configuredSecrets(defaultConfig())).toEqual([]);
    const c = loadConfig({ POS_CONFIG: configFile({}) });
    expect(c.mode).toBe('sandbox');
    expect(configuredSecrets(c)).toEqual([]);
    for (const s of SECRETS) expect(s.get(c), s.env).toBeUndefined();
  });

  it('each secret reaches its setting from the environment alone, and from the config file alone', () => {
    for (const s of SECRETS) {
      const fromEnv = loadConfig({ POS_CONFIG: configFile({}), [s.env]: s.value });
      expect(s.get(fromEnv), s.env).toBe(s.value);
      expect(configuredSecrets(fromEnv), s.env).toEqual([s.value]);
      const fromFile = loadConfig({ POS_CONFIG: configFile(s.file(`file-${s.value}`)) });
      expect(s.get(fromFile), s.env).toBe(`file-${s.value}`);
      expect(configuredSecrets(fromFile), s.env).toEqual([`file-${s.value}`]);
      // The environment wins over the file (a secret can be kept out of the file that is backed up).
      const both = loadConfig({ POS_CONFIG: configFile(s.file('from-the-file')), [s.env]: s.value });
      expect(s.get(both), s.env).toBe(s.value);
    }
  });

  it('a live configuration missing a required secret refuses to start, naming the setting, not a value', () => {
    const file = configFile({ providers: ['mct1'], mct1: { baseUrl: 'https://mct1.example.com/mct1' } });
    let message = '';
    try {
      loadConfig({ POS_CONFIG: file, MCT1_SHOP_PASS: 'env-shop-9c0d', POS_SUPERVISOR_PASSWORD: 'env-sup-1a2b' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/MCT1_OPEN_KEY/);
    expect(message).not.toMatch(/env-shop|env-sup/);
    const posmini = configFile({ providers: ['posmini'], posmini: { baseUrl: 'https://pos.example.com' } });
    expect(() => loadConfig({ POS_CONFIG: posmini, POSMINI_TOKEN: 'env-pmtok-3a4b' })).toThrow(/POSMINI_LOGIN_PASSWORD/);
  });
});

describe('a live store never uses the sandboxes\' own credentials', () => {
  let host: ProviderHost;
  beforeAll(async () => {
    host = await startProviderHost({ posmini: { loginPassword: 'live-pm-login-77' } });
  });
  afterAll(() => host?.close());

  /** What a store started this way sent to the providers' servers, and how ready it got. */
  async function startAgainstHost(mode: 'live' | 'sandbox') {
    const from = host.calls.length;
    const config = loadConfig({
      POS_MODE: mode,
      POS_CONFIG: configFile({
        port: 0,
        host: '127.0.0.1',
        dataDir: ':memory:',
        providers: ['weishouyin', 'kioskv5', 'posmini'],
        timing: FAST_TIMING,
        reconciliation: { dailyAt: '' },
        weishouyin: { baseUrl: host.baseUrl('weishouyin') },
        kioskv5: { baseUrl: host.baseUrl('kioskv5'), shopId: SANDBOX_SHOP.shopId },
        posmini: { baseUrl: host.baseUrl('posmini') },
      }),
      // The one secret live posmini cannot start without; not the sandbox's.
      POSMINI_LOGIN_PASSWORD: 'live-pm-login-77',
    });
    const store = await startStore(config);
    try {
      // posmini checks its session on the first call it makes; ask for a bill to have one.
      await store.providers.get('posmini')!.init();
      // The start-up clock check (微收银 time.php) runs on its own; let it finish before closing the ledger.
      if (store.providers.get('weishouyin')!.info().ready) await waitFor(() => host.calls.slice(from).some((c) => c.path.endsWith('/time.php')));
      await new Promise((r) => setTimeout(r, 100));
      return { ready: Object.fromEntries(store.providers.all().map((p) => [p.id, p.info().ready])), calls: host.calls.slice(from) };
    } finally {
      await store.close();
    }
  }

  const sandboxCredentialIn = (c: HostCall): string | undefined => {
    const sent = `${JSON.stringify(c.params)} ${c.body} ${c.headers.authorization ?? ''}`;
    const known: [string, string][] = [
      ['微收银 seed activation code', SANDBOX_ACTIVATION_CODE],
      ['kioskv5 sandbox token', (SANDBOX_SHOP.auth as { token: string }).token],
      ['posmini sandbox token', (SANDBOX_SESSION.auth as { token: string }).token],
      ['mct1 sandbox open_id', SANDBOX_STORE.openId],
    ];
    return known.find(([, v]) => sent.includes(v))?.[0];
  };

  it('live: nothing sent carries a sandbox credential; the providers without one are not ready, and say so', async () => {
    const live = await startAgainstHost('live');
    expect(live.calls.length).toBeGreaterThan(0);
    expect(live.calls.map(sandboxCredentialIn).filter(Boolean)).toEqual([]);
    // 微收银 without an activation code does not activate; kioskv5 without a token is refused by the shop.
    expect(live.calls.some((c) => c.provider === 'weishouyin' && c.path.includes('app_device_register'))).toBe(false);
    expect(live.ready).toMatchObject({ weishouyin: false, kioskv5: false });
  });

  it('sandbox (the control): the same store does send the sandboxes\' credentials', async () => {
    const sandbox = await startAgainstHost('sandbox');
    expect(sandbox.calls.map(sandboxCredentialIn)).toEqual(expect.arrayContaining(['微收银 seed activation code', 'kioskv5 sandbox token']));
    expect(sandbox.ready).toMatchObject({ weishouyin: true, kioskv5: true });
  });
});
