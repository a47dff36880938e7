/** Routing a scanned payment code to a payment method by the providers' code patterns. */
import type { PayMethodInfo } from '../../contract/api.ts';

const compiled = new Map<string, RegExp | null>();

function regex(source: string): RegExp | null {
  if (!compiled.has(source)) {
    try {
      compiled.set(source, new RegExp(source));
    } catch {
      compiled.set(source, null); // a broken pattern routes nothing
    }
  }
  return compiled.get(source) ?? null;
}

/** The first barcode method whose pattern matches the whole code, or null. */
export function routeCode(code: string, methods: readonly PayMethodInfo[]): PayMethodInfo | null {
  for (const m of methods) {
    if (m.kind !== 'barcode' || !m.codePattern) continue;
    const re = regex(m.codePattern);
    if (!re) continue;
    const hit = re.exec(code);
    if (hit && hit[0] === code) return m;
  }
  return null;
}
