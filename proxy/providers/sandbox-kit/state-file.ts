/**
 * A sandbox's JSON state file: read once at start, written after every change. A write goes to
 * `<file>.tmp` first and is renamed over the file, so a crash mid-write leaves the old state whole.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface StateFile<S> {
  /** The saved state; undefined without a file (or before the first save). Throws on an unknown version. */
  load(): S | undefined;
  /** Writes the state atomically; does nothing without a file. */
  save(state: S): void;
}

/** `sandbox` names the simulator in errors; `file` undefined keeps the state in memory only. */
export function stateFile<S extends { version: number }>(sandbox: string, file: string | undefined, version = 1): StateFile<S> {
  return {
    load() {
      if (!file || !existsSync(file)) return undefined;
      const data = JSON.parse(readFileSync(file, 'utf8')) as S;
      if (data?.version !== version) throw new Error(`${sandbox} sandbox: unknown state file version in ${file}`);
      return data;
    },
    save(state) {
      if (!file) return;
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, JSON.stringify(state));
      renameSync(tmp, file);
    },
  };
}
