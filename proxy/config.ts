/**
 * Configuration comes from a JSON file (POS_CONFIG, default ./pos.config.json if present)
 * and environment variables, never from source. Secrets live only here and in the proxy's store.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface WeishouyinConfig {
  /** Where app_device_register.php and app.php live. Empty in sandbox mode: the in-process simulator. */
  baseUrl?: string;
  activationCode?: string;
  /** Skip activation when the back office issued these by hand (the seed allows it). */
  deviceId?: string;
  key?: string;
  ver: string;
}

export interface Timing {
  /** How often a payment waiting for the customer's password is queried (the seed advises 5 s). */
  pollIntervalMs: number;
  /** How long we wait for the password before giving up (WeChat revokes after about 45 s). */
  payingTimeoutMs: number;
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

export interface Config {
  port: number;
  host: string;
  mode: 'sandbox' | 'live';
  /** SQLite file lives here; ':memory:' for tests. */
  dataDir: string;
  /** Built PWA served at '/'. */
  staticDir: string;
  maxAmountFen: number;
  /** Typed by a manager for refunds where the provider asks for one. Proxy-only. */
  supervisorPassword?: string;
  storeName: string;
  pairingCodeTtlMs: number;
  timing: Timing;
  weishouyin: WeishouyinConfig;
  /** Sandbox simulator knobs (tests make them quick). */
  sandbox: { passwordPolls?: number; hangMs?: number };
}

export const DEFAULT_TIMING: Timing = {
  pollIntervalMs: 5_000,
  payingTimeoutMs: 60_000,
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
    weishouyin: { ver: 'V1.01' },
    sandbox: {},
  };
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export function mergeConfig(base: Config, over: DeepPartial<Config>): Config {
  return {
    ...base,
    ...over,
    timing: { ...base.timing, ...over.timing },
    weishouyin: { ...base.weishouyin, ...over.weishouyin },
    sandbox: { ...base.sandbox, ...over.sandbox },
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
  if (env.WEISHOUYIN_BASE_URL) config.weishouyin.baseUrl = env.WEISHOUYIN_BASE_URL;
  if (env.WEISHOUYIN_ACTIVATION_CODE) config.weishouyin.activationCode = env.WEISHOUYIN_ACTIVATION_CODE;
  if (env.WEISHOUYIN_DEVICE_ID) config.weishouyin.deviceId = env.WEISHOUYIN_DEVICE_ID;
  if (env.WEISHOUYIN_KEY) config.weishouyin.key = env.WEISHOUYIN_KEY;
  config.mode = config.weishouyin.baseUrl ? 'live' : 'sandbox';
  if (env.POS_MODE === 'sandbox' || env.POS_MODE === 'live') config.mode = env.POS_MODE;
  if (config.mode === 'live' && !config.weishouyin.baseUrl) {
    throw new Error('live mode needs weishouyin.baseUrl (WEISHOUYIN_BASE_URL)');
  }
  return config;
}

/** Every configured secret, so tests and log scrubbing can look for them. */
export function configuredSecrets(config: Config): string[] {
  return [config.supervisorPassword, config.weishouyin.key, config.weishouyin.activationCode].filter(
    (s): s is string => typeof s === 'string' && s.length >= 4,
  );
}
