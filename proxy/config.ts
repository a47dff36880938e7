/**
 * Configuration comes from a JSON file (POS_CONFIG, default ./pos.config.json if present)
 * and environment variables, never from source. Secrets live only here and in the proxy's store.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { authSecret, type HttpAuth } from './providers/http-auth.ts';

export interface WeishouyinConfig {
  /** Where app_device_register.php and app.php live. Empty in sandbox mode: the in-process simulator. */
  baseUrl?: string;
  activationCode?: string;
  /** Skip activation when the back office issued these by hand (the seed allows it). */
  deviceId?: string;
  key?: string;
  ver: string;
  /**
   * Send `noremind` with micropay and query: the answers then carry no receipt (printinfo), and the
   * 微信支付凭证 is printed from the config's payremind_template instead. Default false.
   */
  noremind?: boolean;
}

export interface Mct1Config {
  /** e.g. https://api.XXX.com/mct1. Empty in sandbox mode: the in-process simulator. */
  baseUrl?: string;
  openId?: string;
  openKey?: string;
  /** The provider's supervisor password (主管密码), used for refunds when the manager types none. */
  shopPass?: string;
  /** Custom tenders (Diy) the store records through mct1, e.g. ["会员卡"]. */
  diyMethods: string[];
}

export interface KioskV5Config {
  /** e.g. https://kiosk.example.com (the /v5/... paths are below it). Empty in sandbox mode. */
  baseUrl?: string;
  /** sid: the shop's id at the kiosk backend. */
  shopId?: number;
  /** How requests are authenticated (the seed does not say): bearer token, header or parameter. */
  auth?: HttpAuth;
}

export interface PosMiniConfig {
  /** The host the api/Pos/MiniProgram/... paths are below. Empty in sandbox mode. */
  baseUrl?: string;
  auth?: HttpAuth;
  /** The POS login password: UPPER(MD5(it)) is the session key the payment code is encrypted with. */
  loginPassword?: string;
  /** Triple-DES details the seed leaves open (see README). */
  des?: { key?: 'hex24' | 'raw16'; passwordEncoding?: 'utf8' | 'utf16le'; output?: 'base64' | 'hex' };
  format?: 'json' | 'xml';
}

export type ProviderName = 'weishouyin' | 'mct1' | 'kioskv5' | 'posmini';
const PROVIDER_NAMES: readonly ProviderName[] = ['weishouyin', 'mct1', 'kioskv5', 'posmini'];

export interface Timing {
  /** How often a payment waiting for the customer's password is queried (the seed advises 5 s). */
  pollIntervalMs: number;
  /** How long we wait for the password before giving up (WeChat revokes after about 45 s). */
  payingTimeoutMs: number;
  /** How long a QR code shown to the customer (C扫B) stays open before it is cancelled. */
  qrTimeoutMs: number;
  /** One HTTP call to a provider. */
  requestTimeoutMs: number;
  /** How often a payment whose answer was lost is queried again (grows, capped at 60 s). */
  unknownRetryMs: number;
  /** How long a provider may answer "no such order" for a lost answer before we call it failed. */
  unknownGraceMs: number;
  /** After a timed-out/failed-by-us payment, keep checking this long in case the customer paid anyway. */
  watchMs: number;
  watchIntervalMs: number;
  /** Resolver loop tick. */
  tickMs: number;
}

/**
 * One store of a chain: its own name on receipts, its own providers and, where the provider gives
 * each store its own merchant account, its own credentials (merged over the top-level provider
 * sections, so a chain writes base URLs once). Terminals are paired into a store; payments carry it.
 */
export interface StoreConfig {
  /** Letters, digits, - and _ (1–16): kept on every payment, never renamed. */
  id: string;
  name: string;
  providers: ProviderName[];
  weishouyin?: Partial<WeishouyinConfig>;
  mct1?: Partial<Mct1Config>;
  kioskv5?: Partial<KioskV5Config>;
  posmini?: Partial<PosMiniConfig>;
}

/** The store of a configuration without `stores`, and of every payment taken before stores existed. */
export const DEFAULT_STORE_ID = 'main';
const STORE_ID = /^[A-Za-z0-9_-]{1,16}$/;

export interface Config {
  port: number;
  host: string;
  mode: 'sandbox' | 'live';
  /** SQLite file lives here; ':memory:' for tests. The sandboxes' books live here either way. */
  dataDir: string;
  /**
   * This proxy's id in a chain (written on what it stores; the same across its restarts, different
   * from every other proxy's). Default: host:port.
   */
  proxyId?: string;
  /**
   * postgres://… puts the ledger on PostgreSQL instead of SQLite (several proxies may share it; the
   * chain's other parts are issue 8's work in progress). May hold a password: a secret.
   */
  databaseUrl?: string;
  /** Built PWA served at '/'. */
  staticDir: string;
  maxAmountFen: number;
  /** Typed by a manager for refunds where the provider asks for one. Proxy-only. */
  supervisorPassword?: string;
  storeName: string;
  pairingCodeTtlMs: number;
  timing: Timing;
  /**
   * The providers this store uses, in order of preference: a payment code that more than one
   * accepts goes to the first.
   */
  providers: ProviderName[];
  /**
   * A chain's stores. Empty (the default): one store, `main`, named `storeName`, with `providers`
   * and the top-level provider sections.
   */
  stores: StoreConfig[];
  /** How providers reach this proxy for callbacks (mct1 notify_url). Default: http://127.0.0.1:<port>. */
  publicUrl?: string;
  weishouyin: WeishouyinConfig;
  mct1: Mct1Config;
  kioskv5: KioskV5Config;
  posmini: PosMiniConfig;
  /**
   * Sandbox simulator knobs (tests make them quick). `latencyMs`: each provider call is answered that
   * much later, as a provider across the internet would (default 0; POS_SANDBOX_LATENCY_MS).
   */
  sandbox: { passwordPolls?: number; hangMs?: number; notifyBaseMs?: number; latencyMs?: number };
  reconciliation: ReconciliationConfig;
  security: SecurityConfig;
}

/** A count of events per key in a window; beyond `max`, 429 with Retry-After until the window ends. */
export interface LimitConfig {
  max: number;
  windowMs: number;
}

export interface SecurityConfig {
  /**
   * Origins (e.g. "https://pos.example.com") besides the proxy's own that may call /api and /pay from a
   * browser: for a PWA served elsewhere. Empty (the default): same origin only.
   */
  allowedOrigins: string[];
  /** Behind a reverse proxy: take the client's address from the last X-Forwarded-For entry. */
  trustProxy: boolean;
  /** Failed pairing attempts per client address. */
  pairing: LimitConfig;
  /** Refund requests per terminal. */
  refunds: LimitConfig;
  /** Wrong supervisor passwords per terminal within `windowMs` before the terminal is locked out for `lockMs`. */
  supervisor: { maxFailures: number; windowMs: number; lockMs: number };
}

export interface ReconciliationConfig {
  /** A payment this close to midnight that the provider has not booked yet is carried to the next day's run. */
  carryWindowMs: number;
  /** China time "HH:MM" after which yesterday is reconciled by the daily job; empty: no daily job. */
  dailyAt: string;
}

export const DEFAULT_TIMING: Timing = {
  pollIntervalMs: 5_000,
  payingTimeoutMs: 60_000,
  qrTimeoutMs: 180_000,
  requestTimeoutMs: 15_000,
  unknownRetryMs: 3_000,
  unknownGraceMs: 30_000,
  watchMs: 30 * 60_000,
  watchIntervalMs: 60_000,
  tickMs: 500,
};

export function defaultConfig(): Config {
  return {
    port: 8787,
    host: '0.0.0.0',
    mode: 'sandbox',
    dataDir: resolve('data'),
    staticDir: resolve('dist'),
    maxAmountFen: 50_000_00,
    storeName: '演示商店',
    pairingCodeTtlMs: 24 * 3600_000,
    timing: { ...DEFAULT_TIMING },
    providers: ['weishouyin', 'mct1'],
    stores: [],
    weishouyin: { ver: 'V1.01' },
    mct1: { diyMethods: ['会员卡'] },
    kioskv5: {},
    posmini: {},
    sandbox: {},
    reconciliation: { carryWindowMs: 30 * 60_000, dailyAt: '03:00' },
    security: {
      allowedOrigins: [],
      trustProxy: false,
      pairing: { max: 10, windowMs: 60_000 },
      refunds: { max: 30, windowMs: 60_000 },
      supervisor: { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
    },
  };
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export function mergeConfig(base: Config, over: DeepPartial<Config>): Config {
  return {
    ...base,
    ...over,
    timing: { ...base.timing, ...over.timing },
    weishouyin: { ...base.weishouyin, ...over.weishouyin },
    mct1: { ...base.mct1, ...over.mct1 },
    kioskv5: { ...base.kioskv5, ...over.kioskv5 },
    posmini: { ...base.posmini, ...over.posmini },
    sandbox: { ...base.sandbox, ...over.sandbox },
    reconciliation: { ...base.reconciliation, ...over.reconciliation },
    security: {
      ...base.security,
      ...over.security,
      pairing: { ...base.security.pairing, ...over.security?.pairing },
      refunds: { ...base.security.refunds, ...over.security?.refunds },
      supervisor: { ...base.security.supervisor, ...over.security?.supervisor },
    },
  } as Config;
}

/** Reads the config file and the environment. Unknown keys are ignored; bad numbers refuse to start. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  let config = defaultConfig();
  const file = env.POS_CONFIG ?? (existsSync('pos.config.json') ? 'pos.config.json' : undefined);
  if (file) config = mergeConfig(config, JSON.parse(readFileSync(file, 'utf8')));

  const num = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got "${raw}"`);
    return n;
  };
  config.port = num('PORT') ?? config.port;
  config.host = env.HOST ?? config.host;
  config.dataDir = env.POS_DATA_DIR ? resolve(env.POS_DATA_DIR) : config.dataDir;
  config.maxAmountFen = num('POS_MAX_AMOUNT_FEN') ?? config.maxAmountFen;
  config.supervisorPassword = env.POS_SUPERVISOR_PASSWORD ?? config.supervisorPassword;
  if (env.POS_DATABASE_URL) config.databaseUrl = env.POS_DATABASE_URL;
  if (env.POS_PROXY_ID) config.proxyId = env.POS_PROXY_ID;
  if (env.WEISHOUYIN_BASE_URL) config.weishouyin.baseUrl = env.WEISHOUYIN_BASE_URL;
  if (env.WEISHOUYIN_ACTIVATION_CODE) config.weishouyin.activationCode = env.WEISHOUYIN_ACTIVATION_CODE;
  if (env.WEISHOUYIN_DEVICE_ID) config.weishouyin.deviceId = env.WEISHOUYIN_DEVICE_ID;
  if (env.WEISHOUYIN_KEY) config.weishouyin.key = env.WEISHOUYIN_KEY;
  if (env.MCT1_BASE_URL) config.mct1.baseUrl = env.MCT1_BASE_URL;
  if (env.MCT1_OPEN_ID) config.mct1.openId = env.MCT1_OPEN_ID;
  if (env.MCT1_OPEN_KEY) config.mct1.openKey = env.MCT1_OPEN_KEY;
  if (env.MCT1_SHOP_PASS) config.mct1.shopPass = env.MCT1_SHOP_PASS;
  if (env.POS_PROVIDERS) config.providers = parseProviders(env.POS_PROVIDERS);
  if (env.POS_PUBLIC_URL) config.publicUrl = env.POS_PUBLIC_URL;
  if (env.KIOSKV5_BASE_URL) config.kioskv5.baseUrl = env.KIOSKV5_BASE_URL;
  if (env.KIOSKV5_SHOP_ID) config.kioskv5.shopId = num('KIOSKV5_SHOP_ID');
  if (env.KIOSKV5_TOKEN) config.kioskv5.auth = { type: 'bearer', token: env.KIOSKV5_TOKEN };
  if (env.POSMINI_BASE_URL) config.posmini.baseUrl = env.POSMINI_BASE_URL;
  if (env.POSMINI_TOKEN) config.posmini.auth = { type: 'bearer', token: env.POSMINI_TOKEN };
  if (env.POSMINI_LOGIN_PASSWORD) config.posmini.loginPassword = env.POSMINI_LOGIN_PASSWORD;
  if (env.POS_SANDBOX_LATENCY_MS) config.sandbox.latencyMs = num('POS_SANDBOX_LATENCY_MS');
  if (env.POS_RECONCILE_AT !== undefined) config.reconciliation.dailyAt = env.POS_RECONCILE_AT;
  if (env.POS_ALLOWED_ORIGINS !== undefined) config.security.allowedOrigins = env.POS_ALLOWED_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean);
  if (env.POS_TRUST_PROXY !== undefined) config.security.trustProxy = env.POS_TRUST_PROXY === '1' || env.POS_TRUST_PROXY === 'true';
  config.security.allowedOrigins = config.security.allowedOrigins.map((o) => normalizeOrigin(o));
  const liveUrl = (c: Pick<Config, ProviderName> | StoreConfig) => c.weishouyin?.baseUrl || c.mct1?.baseUrl || c.kioskv5?.baseUrl || c.posmini?.baseUrl;
  config.mode = liveUrl(config) || config.stores.some(liveUrl) ? 'live' : 'sandbox';
  if (env.POS_MODE === 'sandbox' || env.POS_MODE === 'live') config.mode = env.POS_MODE;
  validateStores(config.stores);
  if (config.mode === 'live') {
    // Each store's providers with the store's own sections over the top-level ones.
    for (const store of storesOf(config)) checkLiveStore(configForStore(config, store), config.stores.length ? `stores[${store.id}]: ` : '');
  }
  return config;
}

/** Live mode: every provider a store uses has its address and credentials; else refuses to start. */
function checkLiveStore(config: Config, where: string): void {
  if (config.providers.includes('weishouyin') && !config.weishouyin.baseUrl) {
    throw new Error(where + 'live mode with weishouyin needs weishouyin.baseUrl (WEISHOUYIN_BASE_URL)');
  }
  if (config.providers.includes('mct1') && !(config.mct1.baseUrl && config.mct1.openId && config.mct1.openKey)) {
    throw new Error(where + 'live mode with mct1 needs mct1.baseUrl, mct1.openId and mct1.openKey (MCT1_BASE_URL, MCT1_OPEN_ID, MCT1_OPEN_KEY)');
  }
  if (config.providers.includes('kioskv5') && !(config.kioskv5.baseUrl && config.kioskv5.shopId !== undefined)) {
    throw new Error(where + 'live mode with kioskv5 needs kioskv5.baseUrl and kioskv5.shopId (KIOSKV5_BASE_URL, KIOSKV5_SHOP_ID)');
  }
  if (config.providers.includes('posmini') && !(config.posmini.baseUrl && config.posmini.loginPassword)) {
    throw new Error(where + 'live mode with posmini needs posmini.baseUrl and posmini.loginPassword (POSMINI_BASE_URL, POSMINI_LOGIN_PASSWORD)');
  }
}

/** Store ids unique and well-formed, every store with a name and known providers; else refuses to start. */
export function validateStores(stores: StoreConfig[]): void {
  const seen = new Set<string>();
  for (const s of stores) {
    if (!s || typeof s.id !== 'string' || !STORE_ID.test(s.id)) throw new Error(`stores: id "${s?.id}" must be 1–16 letters, digits, - or _`);
    if (seen.has(s.id)) throw new Error(`stores: id "${s.id}" appears twice`);
    seen.add(s.id);
    if (typeof s.name !== 'string' || !s.name.trim()) throw new Error(`stores: store "${s.id}" needs a name`);
    if (!Array.isArray(s.providers) || !s.providers.length) throw new Error(`stores: store "${s.id}" needs at least one provider`);
    for (const n of s.providers) if (!PROVIDER_NAMES.includes(n)) throw new Error(`stores: store "${s.id}": unknown provider "${n}" (${PROVIDER_NAMES.join(', ')})`);
  }
}

/** The configured stores; without `stores`, the one store the top-level settings describe. */
export function storesOf(config: Config): StoreConfig[] {
  validateStores(config.stores);
  return config.stores.length ? config.stores : [{ id: DEFAULT_STORE_ID, name: config.storeName, providers: config.providers }];
}

/** The configuration one store's providers are built from: the top level with the store's own sections over it. */
export function configForStore(config: Config, store: StoreConfig): Config {
  return {
    ...config,
    storeName: store.name,
    providers: store.providers,
    weishouyin: { ...config.weishouyin, ...store.weishouyin },
    mct1: { ...config.mct1, ...store.mct1 },
    kioskv5: { ...config.kioskv5, ...store.kioskv5 },
    posmini: { ...config.posmini, ...store.posmini },
  };
}

/** "https://Pos.Example.com/" → "https://pos.example.com"; anything that is not an http(s) origin refuses to start. */
function normalizeOrigin(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) {
    throw new Error(`security.allowedOrigins: "${text}" is not an origin like https://pos.example.com`);
  }
  return url.origin;
}

function parseProviders(text: string): ProviderName[] {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!PROVIDER_NAMES.includes(n as ProviderName)) throw new Error(`POS_PROVIDERS: unknown provider "${n}" (${PROVIDER_NAMES.join(', ')})`);
  if (!names.length) throw new Error('POS_PROVIDERS: name at least one provider');
  return names as ProviderName[];
}

/** Every configured secret, so tests and log scrubbing can look for them. */
export function configuredSecrets(config: Config): string[] {
  return [
    config.supervisorPassword, config.databaseUrl, config.weishouyin.key, config.weishouyin.activationCode, config.mct1.openKey, config.mct1.shopPass,
    authSecret(config.kioskv5.auth), authSecret(config.posmini.auth), config.posmini.loginPassword,
    ...config.stores.flatMap((s) => [
      s.weishouyin?.key, s.weishouyin?.activationCode, s.mct1?.openKey, s.mct1?.shopPass,
      authSecret(s.kioskv5?.auth), authSecret(s.posmini?.auth), s.posmini?.loginPassword,
    ]),
  ].filter(
    (s): s is string => typeof s === 'string' && s.length >= 4,
  );
}
