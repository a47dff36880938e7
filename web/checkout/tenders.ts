/**
 * The ways to take money that need no scan: the customer scans our QR code (`qr` methods), or
 * pays in cash or with one of the store's own tenders (`cash` methods). Pure, and only used by the
 * scan and status screens, so it stays out of the first load.
 */
import type { PayMethodInfo } from '../../contract/api.ts';

/** The wallet behind a method, in both languages ("微信" / "WeChat"). */
export interface WalletName {
  zh: string;
  en: string;
}

/**
 * Which wallet a method belongs to, from its id and name (`mct1:Weixin:qr`, "微信 扫码").
 * Works from the id alone, so a payment resumed before the methods are loaded still reads well.
 */
export function walletName(id: string, name?: string): WalletName {
  const text = `${id} ${name ?? ''}`;
  if (/微信|weixin|wechat|wxpay|(^|[^a-z])wx([^a-z]|$)/i.test(text)) return { zh: '微信', en: 'WeChat' };
  if (/支付宝|alipay|(^|[^a-z])ali([^a-z]|$)/i.test(text)) return { zh: '支付宝', en: 'Alipay' };
  if (/云闪付|unionpay|银联/i.test(text)) return { zh: '云闪付', en: 'UnionPay' };
  // Anything else: the provider's own name, without a trailing "扫码" (the button says it already).
  const plain = (name ?? id).replace(/\s*扫码\s*$/, '').trim() || (name ?? id);
  return { zh: plain, en: plain };
}

/** A way to take money on the scan screen without a payment code. */
export interface TenderButton {
  method: PayMethodInfo;
  kind: 'qr' | 'cash';
  testid: string;
  zh: string;
  en: string;
}

/** True for the plain cash method (not a store's own tender such as 会员卡). */
export function isPlainCash(m: Pick<PayMethodInfo, 'id' | 'name' | 'kind'>): boolean {
  return m.kind === 'cash' && (m.name.trim() === '现金' || /(^|:)cash$/i.test(m.id));
}

/**
 * One button per `qr` method and per `cash` method the proxy returned, in its order, QR codes
 * first (they are the wallets); none when it returned none. Barcode methods need a scan instead.
 */
export function tenderButtons(methods: readonly PayMethodInfo[]): TenderButton[] {
  const qr: TenderButton[] = [];
  const cash: TenderButton[] = [];
  const seen = new Set<string>();
  for (const m of methods) {
    if ((m.kind !== 'qr' && m.kind !== 'cash') || seen.has(m.id)) continue;
    seen.add(m.id);
    if (m.kind === 'qr') {
      const w = walletName(m.id, m.name);
      qr.push({ method: m, kind: 'qr', testid: `qr-${m.id}`, zh: `顾客扫码 · ${w.zh}`, en: `Customer scans (${w.en})` });
    } else if (isPlainCash(m)) {
      cash.push({ method: m, kind: 'cash', testid: `cash-${m.id}`, zh: '现金', en: 'Cash' });
    } else {
      // A store's own tender (mct1 "Diy", e.g. 会员卡): taken like cash, named as the store named it.
      cash.push({ method: m, kind: 'cash', testid: `cash-${m.id}`, zh: m.name, en: 'Store tender' });
    }
  }
  return [...qr, ...cash];
}

/** The question asked before a cash (or store tender) sale is booked: the drawer is the cashier's own. */
export function cashQuestion(m: Pick<PayMethodInfo, 'id' | 'name' | 'kind'>, yuan: string): { zh: string; en: string } {
  return isPlainCash(m)
    ? { zh: `确认已收现金 ¥${yuan}？`, en: 'Cash received?' }
    : { zh: `确认已收${m.name} ¥${yuan}？`, en: `${m.name} received?` };
}

/** What the status screen asks of the customer while a QR code is shown. */
export function qrPrompt(id: string, name?: string): { zh: string; en: string } {
  const w = walletName(id, name);
  return { zh: `请顾客用${w.zh}扫码支付`, en: `Ask the customer to scan with ${w.en}` };
}
