/**
 * The camera as a last-resort scanner: the Shape Detection API's `BarcodeDetector` (Chrome on
 * Android, ChromeOS and macOS; not on Linux or Windows desktops, where the button is not shown).
 * Loaded only when the cashier presses "用摄像头扫码".
 */

export interface DetectedBarcode {
  rawValue: string;
  format: string;
}

export interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<DetectedBarcode[]>;
}

interface BarcodeDetectorClass {
  new (options?: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats?(): Promise<string[]>;
}

/** Payment codes are shown as Code 128 and QR; items carry EAN/UPC, sometimes GS1 DataMatrix. */
export const CAMERA_FORMATS = ['code_128', 'qr_code', 'ean_13', 'ean_8', 'upc_a', 'upc_e', 'itf', 'data_matrix'];

/** The browser can read barcodes from the camera (the button's feature detection). */
export function cameraSupported(g: object = globalThis): boolean {
  const nav = (g as { navigator?: { mediaDevices?: { getUserMedia?: unknown } } }).navigator;
  return typeof (g as { BarcodeDetector?: unknown }).BarcodeDetector === 'function' && typeof nav?.mediaDevices?.getUserMedia === 'function';
}

export async function createDetector(g: object = globalThis): Promise<BarcodeDetectorLike> {
  const BD = (g as { BarcodeDetector: BarcodeDetectorClass }).BarcodeDetector;
  const supported = (await BD.getSupportedFormats?.().catch(() => null)) ?? CAMERA_FORMATS;
  const formats = CAMERA_FORMATS.filter((f) => supported.includes(f));
  return new BD(formats.length ? { formats } : undefined);
}

/**
 * A code is taken when two frames in a row read the same one: a camera misreads now and then, and a
 * payment code read wrong is a payment refused or, worse, someone else's code.
 */
export class ConfirmedReads {
  #last: string | null = null;

  push(found: readonly DetectedBarcode[]): DetectedBarcode | null {
    const hit = found.find((b) => b.rawValue.trim() !== '') ?? null;
    const same = hit !== null && hit.rawValue === this.#last;
    this.#last = hit?.rawValue ?? null;
    return same ? hit : null;
  }
}

/**
 * Reads frames until a code is confirmed or `signal` aborts; resolves with the code, or null.
 * `frame` returns the video when it has a picture (null: not yet).
 */
export async function readCamera(opts: {
  detector: BarcodeDetectorLike;
  frame: () => CanvasImageSource | null;
  signal: AbortSignal;
  intervalMs?: number;
}): Promise<DetectedBarcode | null> {
  const reads = new ConfirmedReads();
  while (!opts.signal.aborted) {
    const f = opts.frame();
    if (f) {
      const hit = reads.push(await opts.detector.detect(f).catch(() => []));
      if (hit && !opts.signal.aborted) return hit;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 120));
  }
  return null;
}
