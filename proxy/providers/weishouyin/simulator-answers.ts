/**
 * The 微收银 sandbox's state types and the answers it sends: XML built by hand with attribute
 * escaping, receipts (printinfo) as text with literal `\x1b`-style escapes, like the seed.
 * Pure, and deliberately independent of codec.ts so a symmetric bug cannot hide.
 * SANDBOX ONLY.
 */

export interface SimDevice {
  deviceId: string;
  key: string;
  hostid: string;
  /** 设备名称, "001". */
  name: string;
  activatedAt: string;
}

export interface SimRefund {
  /** dm<bill digits><unix seconds>, as the seed's refund lines. */
  refundId: string;
  fen: number;
  at: string;
}

export interface SimBill {
  dmId: string;
  deviceId: string;
  authCode: string;
  method: string;
  fen: number;
  status: 'paying' | 'paid' | 'failed';
  info: string;
  /** Queries left before a password bill is paid; null = until the back office says so. */
  pollsLeft: number | null;
  openedAt: string;
  /** Epoch ms of openedAt (for the retry window). */
  openedMs: number;
  paidAt?: string;
  payId?: string;
  openid?: string;
  refunds: SimRefund[];
}

export interface SimState {
  version: 1;
  nextDeviceId: number;
  nextBillNo: number;
  activationCodes: Record<string, { issuedAt: string; usedAt?: string; deviceId?: string }>;
  devices: Record<string, SimDevice>;
  bills: Record<string, SimBill>;
  /** payment code → dmId of its latest bill */
  authCodes: Record<string, string>;
  /** Discrepancies planted in the books by the back office (absent in state files that never had any). */
  books?: SimBooks;
}

/**
 * What `read` (the provider's books) reports differently from the payment calls (micropay, query,
 * refund), planted by POST /_admin/discrepancies. Keyed by dm_id.
 */
export interface SimBooks {
  /** Bills `read` says do not exist. */
  dropped: string[];
  /** Bills whose pay_time is moved to 00:00:01 of the next China day. */
  nextDay: string[];
  /** dm_id → fen added to pay_total. */
  amountOff: Record<string, number>;
  /** dm_id → refund lines only the books have. */
  refunds: Record<string, SimRefund[]>;
}

export interface SimMethod {
  type: string;
  code: string;
  name: string;
  coderegex: string;
  cancelregex: string;
  /** 支付方式编号 of the refund answer (the seed: 2 = 微信; 1 for 支付宝 is our guess). */
  typeId: string;
  wallet: 'wechat' | 'alipay';
}

/** Exactly the seed's two `<dm_code>` elements. @see seeds/001 §2 读取支付配置接口 */
export const METHODS: SimMethod[] = [
  { type: '4', code: 'o2o_dm_code_wxpaysub', name: '微信', coderegex: '^1[0-5]\\d{16}$', cancelregex: '^dm\\d+$', typeId: '2', wallet: 'wechat' },
  { type: '30', code: 'o2o_dm_code_alipay_isv_beta', name: '支付宝', coderegex: '^28\\d{15,16}$', cancelregex: '^dm\\d+$', typeId: '1', wallet: 'alipay' },
];
/** The seed's own request examples send paytype=alipay, not the configured code. */
const PAYTYPE_ALIASES: Record<string, string> = { alipay: 'o2o_dm_code_alipay_isv_beta' };

export const COMPANY = '微收银沙箱门店';

/** @see seeds/001 §4 3.1 刷卡支付 (paytype) */
export function methodOf(paytype: string | undefined): SimMethod | undefined {
  const code = PAYTYPE_ALIASES[paytype ?? ''] ?? paytype;
  return METHODS.find((m) => m.code === code);
}

export function methodOfBill(b: SimBill): SimMethod {
  return METHODS.find((m) => m.code === b.method) ?? METHODS[0];
}

// --- small helpers ------------------------------------------------------------------------------

export function escAttr(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

function escText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<dm a="..." />` or `<dm a="...">inner</dm>`. @see seeds/001 (every answer) */
export function dm(attrs: [string, string][], inner?: string): string {
  const a = attrs.map(([k, v]) => ` ${k}="${escAttr(v)}"`).join('');
  return inner === undefined ? `<dm${a} />` : `<dm${a}>${inner}</dm>`;
}

/** Strict yuan → fen: "0.01" → 1. Undefined for anything else. */
export function toFen(text: string | undefined): number | undefined {
  const m = /^(\d{1,10})(?:\.(\d{1,2}))?$/.exec((text ?? '').trim());
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const a = Math.abs(fen);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** China wall-clock time "2018-04-21 18:58:01". */
export function cst(d: Date): string {
  const t = new Date(d.getTime() + 8 * 3600_000);
  return `${t.getUTCFullYear()}-${two(t.getUTCMonth() + 1)}-${two(t.getUTCDate())} ${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())}`;
}

export function mask(code: string): string {
  return code.length <= 4 ? code : '*'.repeat(code.length - 4) + code.slice(-4);
}

export function isoOf(chinaTime: string | undefined): string | undefined {
  return chinaTime ? `${chinaTime.replace(' ', 'T')}+08:00` : undefined;
}

export const PHP_GARBAGE =
  '<br />\n<b>Warning</b>:  mysqli_connect(): (HY000/1040): Too many connections in <b>/data/www/o2o-dm/op.php</b> on line <b>27</b><br />\n数据库连接失败';

// --- receipts (printinfo) -----------------------------------------------------------------------

/**
 * A full-width rule for 58 mm paper. The seed prints "-----", but the document collapses runs of
 * dashes (its appendix signature only reproduces with 20 of them), so real receipts had a full line.
 */
const RULE = '-'.repeat(32);

/** 付款回执, the micropay receipt. @see seeds/001 §4 3.1 (不传noremind参数返回结果) */
export function payReceipt(b: SimBill, deviceName: string): string {
  const m = methodOfBill(b);
  return [
    String.raw`\x1b\x40\x1c\x26`,
    '',
    String.raw`\x1b\x74\x00`,
    String.raw`\x1b\x61\x01\x1D\x21\x10付款回执`,
    String.raw`\x1b\x40商户名称: ${COMPANY}`,
    `交易时间: ${b.paidAt}`,
    `订单号: ${b.dmId}`,
    `付款方式: ${m.name}`,
    `设备信息: ${deviceName}(${b.deviceId})`,
    `流水号: ${b.payId}`,
    RULE,
    `订单总额: ${yuan(b.fen)}`,
    String.raw`\x1D\x21\x01用户实付: ¥${yuan(b.fen)}`,
    String.raw`\x1b\x40` + RULE,
    '签名:',
    String.raw`\x0d\x0a`,
    RULE,
    String.raw`\x1b\x61\x01微收银沙箱 · 仅供测试`,
    String.raw`\x1b\x61\x01SANDBOX - NOT A REAL PAYMENT`,
    String.raw`\x1b\x40`,
    String.raw`\x0d\x0a`,
    String.raw`\x1B\x69`,
  ].join('\n');
}

/**
 * 微信支付凭证, the query and reprint receipt; for no bill, the empty 1970 voucher the seed's reprint
 * example shows. @see seeds/001 §4 3.2.1, 3.5 补打小票接口
 */
export function voucher(b: SimBill | undefined, yen: '¥ ' | '￥', requestedNo = ''): string {
  const name = b ? methodOfBill(b).name : '微信';
  const no = b ? b.dmId.replace(/^dm/, '') : requestedNo;
  const paidAt = b?.paidAt ?? '1970-01-01 08:00:00';
  return [
    String.raw`\x1b\x40\x1D\x21\x11\x1b\x4d\x02${name}支付凭证`,
    String.raw`\x1D\x21\x00`,
    String.raw`\x1b\x40\x1b\x4d\x02` + RULE,
    String.raw`\x1b\x40\x1b\x4d\x02凭 证 号: ${no}`,
    String.raw`\x1b\x40`,
    String.raw`\x1b\x40\x1b\x4d\x02付款时间: ${paidAt}`,
    String.raw`\x1b\x40`,
    String.raw`\x1b\x40\x1b\x4d\x02消费金额: \x1D\x21\x11${yen}${yuan(b?.fen ?? 0)}`,
    String.raw`\x1b\x40\x1b\x4d\x02` + RULE,
    String.raw`\x1b\x4d\x02客户签字:`,
    '',
    String.raw`\x1B\x69`,
  ].join('\n');
}

/** 退款凭证. @see seeds/001 §4 3.3 申请退款 */
export function refundReceipt(b: SimBill, r: SimRefund, deviceName: string): string {
  const m = methodOfBill(b);
  return [
    String.raw`\x1b\x40\x1c\x26`,
    '',
    String.raw`\x1b\x74\x00`,
    String.raw`\x1b\x61\x01\x1D\x21\x10退款凭证`,
    String.raw`\x1b\x40商户名称：${COMPANY}`,
    `订单号：${b.dmId}`,
    `付款方式：${m.name}`,
    `设备信息：${deviceName}(${b.deviceId})`,
    `流水号：${b.payId}`,
    RULE,
    `付款时间：${b.paidAt}`,
    `支付金额: ${yuan(b.fen)}`,
    `退款时间: ${r.at}`,
    String.raw`退款金额: \x1D\x21\x01¥ ${yuan(-r.fen)}`,
    String.raw`\x1b\x40` + RULE,
    '客户签字:',
    String.raw`\x0d\x0a`,
    String.raw`\x0d\x0a`,
    String.raw`\x1B\x69`,
  ].join('\n');
}

/** `<ok>1</ok><paylist><pay>…<printinfo>` and the XAML popup. @see seeds/001 §4 3.1 */
function paylist(b: SimBill, printinfo: string): string {
  const m = methodOfBill(b);
  return [
    '',
    '<ok>1</ok>',
    '<paylist>',
    '<pay>',
    `<id>${b.dmId.replace(/^dm/, '')}</id>`,
    `<device_id>${escText(b.deviceId)}</device_id>`,
    '<no></no>',
    '<tabno></tabno>',
    `<company>${escText(COMPANY)}</company>`,
    `<opentime>${b.openedAt}</opentime>`,
    `<paymode>${m.name}</paymode>`,
    '<user></user>',
    `<total_fee>${b.fen}</total_fee>`,
    `<time>${b.paidAt ?? ''}</time>`,
    `<printinfo>${escText(printinfo)}</printinfo>`,
    '</pay>',
    '</paylist>',
    // The seed's answers carry a XAML popup for the Windows client; kept for shape.
    '<Canvas Height="170" Width="246" Margin="10,16,10,64" VerticalAlignment="Top" xmlns="http://schemas.microsoft.com/winfx/2006/xaml/presentation">',
    `<TextBlock Canvas.Left="83" Canvas.Top="23" Text="${escAttr(m.name)}" />`,
    `<TextBlock Canvas.Left="36" Canvas.Top="70" Text="${escAttr(`单号: ${b.dmId.replace(/^dm/, '')}`)}" />`,
    `<TextBlock Canvas.Left="36" Canvas.Top="100" Text="${escAttr(`时间: ${b.paidAt ?? ''}`)}" />`,
    `<TextBlock Canvas.Left="36" Canvas.Top="140" Text="${escAttr(`支付金额: ${yuan(b.fen)}`)}" />`,
    '</Canvas>',
    '',
  ].join('\n');
}

// --- answers ------------------------------------------------------------------------------------

/** The answer of micropay (`kind` micropay) or of a query, for a bill. @see seeds/001 §4 3.1, 3.2 */
export function billAnswer(b: SimBill, kind: 'micropay' | 'query', noremind: boolean, deviceName: string): string {
  const m = methodOfBill(b);
  if (b.status === 'paying') {
    return dm([
      ['ok', '-1'],
      ['info', '用户支付中，需要输入支付密码'],
      ['dm_id', b.dmId],
      ['total', yuan(b.fen)],
      ['pay_type', m.type],
    ]);
  }
  if (b.status === 'failed') return dm([['ok', '0'], ['info', b.info], ['dm_id', b.dmId]]);
  const attrs: [string, string][] =
    kind === 'micropay'
      ? [
          ['ok', '1'],
          ['info', '支付成功'],
          ['dm_id', b.dmId],
          ['total', yuan(b.fen)],
          ['pay_type', m.type],
          ['pay_time', b.paidAt ?? ''],
          ['pay_id', b.payId ?? ''],
          ['openid', b.openid ?? ''],
          ['no', ''],
        ]
      : [
          ['ok', '1'],
          ['total', yuan(b.fen)],
          ['pay_type', m.type],
          ['pay_time', b.paidAt ?? ''],
          ['info', `支付成功【支付金额:${yuan(b.fen)}元】`],
          ['dm_id', b.dmId],
          ['remark', b.payId ?? ''],
          ['openid', b.openid ?? ''],
          ['pay_id', b.payId ?? ''],
          ['no', ''],
        ];
  if (noremind) return dm(attrs, '\n');
  return dm(attrs, paylist(b, kind === 'micropay' ? payReceipt(b, deviceName) : voucher(b, '￥')));
}

/** @see seeds/001 §4 3.3 申请退款 */
export function refundAnswer(b: SimBill, r: SimRefund, deviceName: string): string {
  const m = methodOfBill(b);
  const attrs: [string, string][] = [
    ['ok', '1'],
    ['info', '退款成功'],
    ['dm_id', b.dmId],
    ['pay_type', m.type],
    ['pay_time', r.at],
    ['total', yuan(-r.fen)],
    ['pay_id', b.payId ?? ''],
    ['no', ''],
    ['type_id', m.typeId],
  ];
  return dm(attrs, paylist(b, refundReceipt(b, r, deviceName)));
}

/** One `<pay>` line for the payment, one per refund; refund_total only once refunded. @see seeds/001 §4 3.4 */
export function readAnswer(b: SimBill): string {
  const m = methodOfBill(b);
  const attrs: [string, string][] = [
    ['ok', '1'],
    ['dm_id', b.dmId],
    ['pay_type', m.name],
    ['pay_total', yuan(b.fen)],
    ['pay_time', b.paidAt ?? ''],
    ['no', ''],
  ];
  const refunded = b.refunds.reduce((s, r) => s + r.fen, 0);
  if (b.refunds.length > 0) attrs.push(['refund_total', yuan(-refunded)]);
  const line = (total: string, at: string, id: string) =>
    `<pay pay_type="${m.type}" pay_name="${escAttr(m.name)}" pay_total="${total}" pay_time="${at}" pay_id="${escAttr(id)}" />`;
  const lines = [line(yuan(b.fen), b.paidAt ?? '', b.payId ?? ''), ...b.refunds.map((r) => line(yuan(-r.fen), r.at, r.refundId))];
  return dm(attrs, `\n${lines.join('\n')}\n`);
}

/**
 * The pay config, shaped like the seed's example (templates on one line each, with `\r\n` escapes
 * where the seed's printed form wrapped).
 * @see seeds/001 §2 读取支付配置接口
 */
export function configAnswer(server: string, device: SimDevice): string {
  const attrs: [string, string][] = [
    ['ok', '1'],
    ['server', server],
    ['client_id', '156326'],
    ['device_id', device.deviceId],
    ['refund_timelimit', '0'],
    ['client_name', `${COMPANY} - ${device.name}`],
    [
      'payremind_template',
      String.raw`\x1b\x40\x1D\x21\x11\x1b\x4d\x02微信支付凭证\r\n\x1D\x21\x00\x1b\x40\x1b\x4d\x02-----\r\n\x1b\x40\x1b\x4d\x02凭 证 号: {id}\r\n\x1b\x40账 单 号: {no}\r\n\x1b\x40就餐桌台: {tableno}\r\n\x1b\x40\x1b\x4d\x02付款时间: {paytime}\r\n\x1b\x40操 作 员: {staff}\r\n\x1b\x40\x1b\x4d\x02消费金额: \x1D\x21\x11¥ {total}\r\n\x1b\x40\x1b\x4d\x02-----\r\n\x1b\x4d\x02客户签字: \x1B\x69`,
    ],
    ['payremind_template_popup', '时间:{paytime}单号:{no}桌号:{tableno}金额:{total}'],
    [
      'qrcode_template',
      String.raw`\r\n\x1b\x7b\x01\x1b\x61\x01△ △ △ △ △ △ △\x1b\x7b\x00\x1b\x40\x1b\x33\x10{qrcode_logo}\x1b\x40\x1b\x61\x01感谢您的光临\x1b\x40 账单总额:\x1d\x21\x11¥ {total} \x1b\x40\x1b\x33\x10{qrcode}\x1b\x40\x1b\x61\x01微信扫一扫, 支付享抢优惠\x1b\x40\r\n \x1b\x61\x01--------\x1b\x40 账单编号:{no} 就餐桌号:{table} 消费时间:{time}`,
    ],
    ['qrcode_logo', '201503/31002052/logo150.png'],
    ['qrcode_image', '201503/31002052/wx72.png'],
    ['redpack_template', ''],
    ['micropay_total_regex', ''],
    ['license_micropay', '1'],
    ['license_printer', '1'],
    ['license_com', '1'],
    ['license_network', '1'],
    ['license_wxpayremind', '1'],
    ['wxpayremind_print_count', '1'],
  ];
  const codes = METHODS.map(
    (m) =>
      `<dm_code type="${m.type}" code="${m.code}" name="${escAttr(m.name)}" coderegex="${escAttr(m.coderegex)}" cancelregex="${escAttr(m.cancelregex)}" />`,
  );
  return dm(attrs, `\n${codes.join('\n')}\n`);
}

/** A bill as the sandbox back office shows it (JSON). */
export function billView(b: SimBill) {
  const refundedFen = b.refunds.reduce((s, r) => s + r.fen, 0);
  return {
    dmId: b.dmId,
    deviceId: b.deviceId,
    status: b.status,
    method: b.method,
    methodName: methodOfBill(b).name,
    amountFen: b.fen,
    refundedFen,
    refunds: b.refunds.map((r) => ({ refundId: r.refundId, amountFen: r.fen, at: isoOf(r.at) })),
    // Sandbox back office: the full code is shown (test codes, no real money), masked too for display.
    authCode: b.authCode,
    authCodeMasked: mask(b.authCode),
    payId: b.payId,
    openedAt: isoOf(b.openedAt),
    paidAt: isoOf(b.paidAt),
    info: b.info,
  };
}
