/** Bytes that came back from the printer, waiting for `read`. */
export class Inbox {
  #chunks: Uint8Array[] = [];
  #waiter: (() => void) | null = null;

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }

  /** What arrived so far, waiting up to `timeoutMs` for something when nothing has. */
  async read(timeoutMs: number): Promise<Uint8Array> {
    if (this.#chunks.length === 0 && timeoutMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#waiter = null;
          resolve();
        }, timeoutMs);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const chunks = this.#chunks;
    this.#chunks = [];
    if (chunks.length === 1) return chunks[0];
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
