import { describe, expect, it } from 'vitest';
import { cameraSupported, ConfirmedReads, createDetector, readCamera, type DetectedBarcode } from '../../web/devices/scanner/camera.ts';

const code = (rawValue: string, format = 'code_128'): DetectedBarcode => ({ rawValue, format });

describe('the camera fallback', () => {
  it('is offered only where BarcodeDetector and a camera exist (feature detection)', () => {
    const camera = { mediaDevices: { getUserMedia: () => undefined } };
    expect(cameraSupported({ navigator: camera })).toBe(false); // Chrome on Linux/Windows desktops
    expect(cameraSupported({ BarcodeDetector: class {}, navigator: camera })).toBe(true);
    expect(cameraSupported({ BarcodeDetector: class {}, navigator: {} })).toBe(false); // no camera API (insecure origin)
    expect(cameraSupported({})).toBe(false);
  });

  it('asks the detector for the formats this browser supports among those we read', async () => {
    let asked: unknown;
    class BD {
      static async getSupportedFormats() {
        return ['qr_code', 'ean_13', 'aztec'];
      }
      constructor(options: unknown) {
        asked = options;
      }
      async detect() {
        return [];
      }
    }
    await createDetector({ BarcodeDetector: BD });
    expect(asked).toEqual({ formats: ['qr_code', 'ean_13'] });
  });

  it('takes a code only when two frames in a row read it', () => {
    const r = new ConfirmedReads();
    expect(r.push([code('130000000000000001')])).toBeNull();
    expect(r.push([code('130000000000000007')])).toBeNull(); // a misread frame
    expect(r.push([code('130000000000000001')])).toBeNull();
    expect(r.push([code('130000000000000001')])).toEqual(code('130000000000000001'));
    expect(r.push([])).toBeNull();
    expect(r.push([code(' ')])).toBeNull();
  });

  it('reads frames until a code is confirmed, skipping frames before the picture starts', async () => {
    const frames: (DetectedBarcode[] | null)[] = [null, [], [code('6902890227670', 'ean_13')], [code('6902890227670', 'ean_13')]];
    let i = 0;
    let current: DetectedBarcode[] | null = null;
    const hit = await readCamera({
      detector: { detect: async () => current ?? [] },
      frame: () => ((current = frames[Math.min(i++, frames.length - 1)]) === null ? null : ({} as CanvasImageSource)),
      signal: new AbortController().signal,
      intervalMs: 1,
    });
    expect(hit).toEqual(code('6902890227670', 'ean_13'));
  });

  it('stops when closed, with no code', async () => {
    const stop = new AbortController();
    const reading = readCamera({ detector: { detect: async () => [] }, frame: () => ({}) as CanvasImageSource, signal: stop.signal, intervalMs: 1 });
    setTimeout(() => stop.abort(), 10);
    expect(await reading).toBeNull();
  });
});
