/**
 * seed 002's pay_method: 1 未支付, 2 微信, 3 支付宝; 4 is ours for everything else (cash, cards,
 * member cards), like the seed's settlement method 4 线下转账. A method's channel is read from its
 * name as the provider configured it (微信 / 支付宝).
 */
import type { ProviderRegistry } from '../providers/index.ts';

export const PAY_METHOD = { unpaid: 1, wechat: 2, alipay: 3, other: 4 } as const;

export function channelOfName(name: string): number {
  if (/微信|wechat|weixin/i.test(name)) return PAY_METHOD.wechat;
  if (/支付宝|alipay/i.test(name)) return PAY_METHOD.alipay;
  return PAY_METHOD.other;
}

/** methodId → pay_method, for the providers' methods as they are now (unknown ids: other). */
export function channelResolver(providers: ProviderRegistry): (methodId: string) => number {
  const byId = new Map(providers.methods().map((m) => [m.id, channelOfName(m.name)]));
  return (methodId) => byId.get(methodId) ?? PAY_METHOD.other;
}

/** The method ids of a channel (for SQL `method IN (...)`). */
export function methodsOfChannel(providers: ProviderRegistry, channel: number): string[] {
  return providers
    .methods()
    .filter((m) => channelOfName(m.name) === channel)
    .map((m) => m.id);
}
