/**
 * The two print templates of 微收银's pay config, filled the way the provider fills them.
 *
 * - `payremind_template` (微信支付凭证): the provider's own paid receipt. Its query answers carry
 *   it already filled as `printinfo` (seed 001 §4 3.2.2 shows one); when an answer carries none we
 *   fill it here, `wxpayremind_print_count` copies. Read against the seed: the provider drops a piece
 *   whose placeholders are all empty (账单号, 就餐桌台, 操作员 are missing from its example), ends
 *   each piece's line, and prints `¥ {total}` as `￥0.01`. Both are reproduced (tests/proxy/providers/weishouyin/receipts.test.ts).
 * - `qrcode_template` (感谢您的光临 / 账单总额 / QR / 微信扫一扫): printed under a bill before the
 *   customer pays (预结单). `{qrcode}` becomes a `GS ( k` QR code of the bill number; `{qrcode_logo}`
 *   names an image on the provider's server, which we do not fetch: it prints nothing. The seed's
 *   example shows ` qrcode}` where every other placeholder has its brace: a `{` lost in the document,
 *   read as `{qrcode}`.
 *
 * @see seeds/001 §2 读取支付配置接口 (payremind_template, qrcode_template, wxpayremind_print_count)
 */
import { formatYuan } from '../../../contract/money.ts';
import { qrCommand } from '../../receipt/escpos.ts';
import type { BillFacts, PaidReceiptFacts } from '../types.ts';
import { chinaTime, dmDigits, type PayConfig } from './codec.ts';

type Values = Record<string, string | undefined>;

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const ESC_AT = '\x1b@';
const ESC_M = '\x1bM';

/**
 * Fills `{name}` placeholders. The unit is the piece starting at an `ESC @`: the config's templates
 * reach us on one line (an XML attribute's line breaks are read as spaces), and the provider drops
 * a piece whose placeholders are all empty. `¥` before an amount becomes `￥` (GBK has no `¥`), and
 * a line of text is ended before the next `ESC @`, which would otherwise clear it from the printer's
 * buffer unprinted.
 */
export function fillTemplate(template: string, values: Values): string {
  const filled = template
    .split(/(?=\x1b@)/)
    .filter((piece) => {
      const names = [...piece.matchAll(PLACEHOLDER)].map((m) => m[1]);
      return names.length === 0 || names.some((n) => !!valueOf(values, n));
    })
    .map((piece) => piece.replace(PLACEHOLDER, (_m, n: string) => valueOf(values, n) ?? ''))
    .join('')
    .replace(/¥ ?(?=\d)/g, '￥');
  return endLinesBeforeInit(filled);
}

/** Own keys only: `{constructor}` is not Object's. */
function valueOf(values: Values, name: string): string | undefined {
  return Object.hasOwn(values, name) ? values[name] : undefined;
}

/**
 * `A ESC @ B` → `A CR LF ESC @ B`, and the same before `ESC M` (font): only where the line holds
 * text (a command's letter is not text). The provider's printinfo starts every ESC @ and ESC M on
 * a line of its own, and the template reaches us with its line breaks read as spaces.
 */
function endLinesBeforeInit(s: string): string {
  let out = '';
  let text = false;
  for (let i = 0; i < s.length; i++) {
    if (text && (s.startsWith(ESC_AT, i) || s.startsWith(ESC_M, i))) {
      out += '\r\n';
      text = false;
    }
    const ch = s[i];
    if (ch === '\n') text = false;
    else if (ch >= ' ' && !/[\x1b\x1c\x1d]/.test(s[i - 1] ?? '')) text = true;
    out += ch;
  }
  return out;
}

function chinaWallTime(iso: string | undefined): string | undefined {
  return iso ? chinaTime(new Date(iso)) : undefined;
}

/** The 微信支付凭证 for a paid payment, `wxpayremind_print_count` copies; undefined without a template. */
export function payremindReceipt(config: PayConfig | undefined, f: PaidReceiptFacts): string | undefined {
  const template = config?.templates.payremind;
  if (!template) return undefined;
  const one = fillTemplate(template, {
    id: f.providerRef ? dmDigits(f.providerRef) : f.outNo,
    no: f.outNo,
    tableno: f.table,
    paytime: chinaWallTime(f.paidAt),
    staff: f.staff,
    total: formatYuan(f.amountFen),
  });
  return one.repeat(Math.min(5, Math.max(1, config.payremindCopies)));
}

/** The provider's footer under a bill before payment (its QR and thank-you lines); undefined without one. */
export function qrcodeBillFooter(config: PayConfig | undefined, f: BillFacts): string | undefined {
  const template = config?.templates.qrcode;
  if (!template) return undefined;
  return fillTemplate(template.replace(/(?<!\{)\bqrcode\}/g, '{qrcode}'), {
    qrcode: qrCommand(f.billNo),
    qrcode_logo: undefined,
    total: formatYuan(f.amountFen),
    no: f.billNo,
    table: f.table,
    tableno: f.table,
    time: chinaTime(f.at),
  });
}
