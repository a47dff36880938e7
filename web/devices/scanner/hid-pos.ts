/**
 * HID POS barcode scanner input reports (USB-IF "HID Point of Sale Usage Tables" 1.02, usage page
 * 0x8C Bar Code Scanner), decoded to codes. Pure: tests feed recorded reports as bytes.
 *
 * The Scanned Data Report (usage 0x8C:0x12), as Honeywell, Zebra and Datalogic scanners in HID POS
 * mode send it — report ID 2, 63 bytes after the ID (WebHID's `inputreport` gives them without it):
 *
 *   byte 0       data length n in this report        (Generic Desktop 0x3B Byte Count)
 *   bytes 1–3    AIM symbology identifier, e.g. ]E0  (0x8C:0xFB–0xFD Symbology Identifier 1–3)
 *   bytes 4–59   decoded data, n bytes, zero-padded  (0x8C:0xFE Decoded Data, buffered bytes)
 *   bytes 60–61  vendor bytes (Honeywell: its own code ID)
 *   byte 62      bit 0: more data follows            (0x8C:0xFF Decode Data Continued)
 *
 * A code longer than one report's data comes in several reports, every one but the last with
 * "continued" set; they are joined in order.
 *
 * The report descriptor says where each field is, and WebHID hands it over (`device.collections`):
 * `layoutsOf` reads the fields' places from it by their usages, so a scanner that orders them
 * otherwise, has no byte count (its data is then zero-padded), a longer data field or a different
 * report ID is read right. Without a usable descriptor the layout is guessed from the bytes: the
 * one above, or the common variant with no byte count (the AIM identifier `]` first).
 */

export const BARCODE_PAGE = 0x8c;

const BYTE_COUNT = 0x0001_003b; // Generic Desktop page
const SYMBOLOGY_1 = 0x008c_00fb;
const SYMBOLOGY_3 = 0x008c_00fd;
const DECODED_DATA = 0x008c_00fe;
const DATA_CONTINUED = 0x008c_00ff;

/** The parts of WebHID's HIDReportItem / HIDReportInfo / HIDCollectionInfo read here. */
export interface HidReportItemLike {
  usages?: number[];
  usageMinimum?: number;
  usageMaximum?: number;
  isRange?: boolean;
  reportSize?: number;
  reportCount?: number;
}
export interface HidReportInfoLike {
  reportId: number;
  items?: HidReportItemLike[];
}
export interface HidCollectionLike {
  usagePage?: number;
  usage?: number;
  inputReports?: HidReportInfoLike[];
  children?: HidCollectionLike[];
}

/** Where the fields of one input report are: byte offsets in the report without its ID. */
export interface ReportLayout {
  byteCount?: number;
  /** Offsets of Symbology Identifier 1, 2, 3. */
  symbology: number[];
  data: number;
  dataBytes: number;
  continued?: { byte: number; bit: number };
}

/** The usage of field `i` of an item (a range counts up; a list repeats its last usage). */
function usageOf(item: HidReportItemLike, i: number): number | undefined {
  if (item.isRange) return Math.min((item.usageMinimum ?? 0) + i, item.usageMaximum ?? Infinity);
  const u = item.usages ?? [];
  return u[Math.min(i, u.length - 1)];
}

/** The Scanned Data layouts by report ID, from the device's report descriptor. */
export function layoutsOf(collections: readonly HidCollectionLike[] | undefined): Map<number, ReportLayout> {
  const items = new Map<number, HidReportItemLike[]>();
  const walk = (c: HidCollectionLike) => {
    for (const r of c.inputReports ?? []) items.set(r.reportId, [...(items.get(r.reportId) ?? []), ...(r.items ?? [])]);
    c.children?.forEach(walk);
  };
  collections?.forEach(walk);

  const layouts = new Map<number, ReportLayout>();
  for (const [id, list] of items) {
    const l: ReportLayout = { symbology: [], data: -1, dataBytes: 0 };
    let bit = 0;
    for (const item of list) {
      const size = item.reportSize ?? 0;
      for (let i = 0; i < (item.reportCount ?? 0); i++, bit += size) {
        const u = usageOf(item, i);
        const byte = bit % 8 === 0 && size === 8 ? bit / 8 : -1;
        if (u === DATA_CONTINUED && size >= 1) l.continued ??= { byte: Math.floor(bit / 8), bit: bit % 8 };
        if (byte < 0) continue;
        if (u === BYTE_COUNT) l.byteCount ??= byte;
        else if (u !== undefined && u >= SYMBOLOGY_1 && u <= SYMBOLOGY_3) l.symbology[u - SYMBOLOGY_1] = byte;
        else if (u === DECODED_DATA && (l.data < 0 || l.data + l.dataBytes === byte)) {
          if (l.data < 0) l.data = byte;
          l.dataBytes++;
        }
      }
    }
    if (l.data >= 0) layouts.set(id, l);
  }
  return layouts;
}

export interface ReportChunk {
  bytes: Uint8Array;
  /** The AIM identifier, e.g. ']E0', when the report carries one. */
  aim?: string;
  continued: boolean;
}

function aimAt(d: Uint8Array, at: readonly number[]): string | undefined {
  const b = at.map((i) => d[i] ?? 0);
  return b[0] === 0x5d && b.length === 3 ? String.fromCharCode(...b) : undefined;
}

/** Up to the first NUL: data fields without a byte count are zero-padded. */
function untilNul(b: Uint8Array): Uint8Array {
  const end = b.indexOf(0);
  return end < 0 ? b : b.subarray(0, end);
}

export function decodeWithLayout(d: Uint8Array, l: ReportLayout): ReportChunk | null {
  if (d.length < l.data) return null;
  let bytes = d.subarray(l.data, l.data + l.dataBytes);
  if (l.byteCount !== undefined) {
    const n = d[l.byteCount];
    if (n > bytes.length) return null;
    bytes = bytes.subarray(0, n);
  } else bytes = untilNul(bytes);
  const c = l.continued;
  return { bytes, aim: aimAt(d, l.symbology), continued: c ? ((d[c.byte] >> c.bit) & 1) === 1 : false };
}

/** No descriptor: the byte-count layout above, or (`]` first) the one without a byte count. */
export function decodeGuessed(d: Uint8Array): ReportChunk | null {
  if (d.length < 4) return null;
  const last = d.length - 1;
  if (d[0] === 0x5d) {
    // ]Xn, then the data zero-padded, then the flags byte.
    const bytes = untilNul(d.subarray(3, last));
    return { bytes, aim: aimAt(d, [0, 1, 2]), continued: (d[last] & 1) === 1 };
  }
  const n = d[0];
  if (4 + n > d.length) return null;
  return { bytes: d.subarray(4, 4 + n), aim: aimAt(d, [1, 2, 3]), continued: 4 + n <= last && (d[last] & 1) === 1 };
}

/** Scanners send ASCII, and UTF-8 or GBK for text in 2D codes: UTF-8 unless it is not valid UTF-8. */
export function textOf(bytes: Uint8Array): string {
  const utf8 = new TextDecoder().decode(bytes);
  return utf8.includes('\ufffd') ? new TextDecoder('gb18030').decode(bytes) : utf8;
}

/**
 * One scanner's reports turned into codes: the chunks of a code split over several reports are
 * joined; a code whose last part never comes (the scanner was unplugged mid-code) is dropped after
 * `partTimeoutMs` — half a code is never a code.
 */
export class HidPosReader {
  readonly #layouts: Map<number, ReportLayout>;
  readonly #onCode: (code: string, aim: string | undefined) => void;
  readonly #partTimeoutMs: number;
  #parts: Uint8Array[] = [];
  #aim: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(collections: readonly HidCollectionLike[] | undefined, onCode: (code: string, aim: string | undefined) => void, partTimeoutMs = 500) {
    this.#layouts = layoutsOf(collections);
    this.#onCode = onCode;
    this.#partTimeoutMs = partTimeoutMs;
  }

  report(reportId: number, data: DataView | Uint8Array): void {
    const d = data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const layout = this.#layouts.get(reportId);
    // The descriptor names the scanned-data reports; others (status, trigger) are not codes.
    if (this.#layouts.size > 0 && !layout) return;
    const chunk = layout ? decodeWithLayout(d, layout) : decodeGuessed(d);
    if (!chunk) return;
    clearTimeout(this.#timer);
    this.#parts.push(chunk.bytes.slice());
    this.#aim ??= chunk.aim;
    if (chunk.continued) {
      this.#timer = setTimeout(() => this.reset(), this.#partTimeoutMs);
      return;
    }
    const parts = this.#parts;
    const aim = this.#aim;
    this.reset();
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
    const code = textOf(all);
    if (code) this.#onCode(code, aim);
  }

  reset(): void {
    clearTimeout(this.#timer);
    this.#parts = [];
    this.#aim = undefined;
  }
}
