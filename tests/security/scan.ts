/** Looking for secrets: where a text came from, and every needle found in it. */
import Database from 'better-sqlite3';
import { join } from 'node:path';

/** A text to search, and where it came from (printed on a hit). */
export interface Haystack {
  where: string;
  text: string;
}

export interface Needle {
  /** What it is, e.g. "mct1.openKey" (printed on a hit, the value is not). */
  name: string;
  value: string;
}

/** Every (needle, haystack) pair where the needle occurs, case-insensitively (hex may change case). */
export function findAll(haystacks: Haystack[], needles: Needle[]): string[] {
  const hits: string[] = [];
  for (const n of needles) {
    const v = n.value.toLowerCase();
    for (const h of haystacks) {
      const i = h.text.toLowerCase().indexOf(v);
      if (i >= 0) hits.push(`${n.name} in ${h.where}: …${h.text.slice(Math.max(0, i - 40), i).replace(/\s+/g, ' ')}[${n.name}]…`);
    }
  }
  return hits;
}

/** Bytes as every text a reader might see them as: UTF-8 and Latin-1 (ASCII secrets survive both). */
export function bytesAsTexts(where: string, bytes: Uint8Array): Haystack[] {
  const b = Buffer.from(bytes);
  return [
    { where: `${where} (utf-8)`, text: b.toString('utf8') },
    { where: `${where} (latin1)`, text: b.toString('latin1') },
  ];
}

/**
 * Every row of every table of the ledger file, one haystack per cell, read through a second
 * read-only connection (WAL: it sees everything committed). `skip` names `table` or `table.column`
 * that are left out, each with the reason in the caller.
 */
export function ledgerCells(dataDir: string, skip: string[] = []): Haystack[] {
  const db = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
    const out: Haystack[] = [];
    for (const table of tables) {
      if (skip.includes(table)) continue;
      const rows = db.prepare(`SELECT rowid AS _rowid, * FROM "${table}"`).all() as Record<string, unknown>[];
      for (const row of rows) {
        for (const [column, value] of Object.entries(row)) {
          if (column === '_rowid' || value === null || skip.includes(`${table}.${column}`)) continue;
          const text = Buffer.isBuffer(value) ? value.toString('latin1') : String(value);
          out.push({ where: `ledger ${table}.${column} (row ${row._rowid})`, text });
        }
      }
    }
    return out;
  } finally {
    db.close();
  }
}

/** The rows of one table of the ledger file, read-only. */
export function ledgerRows(dataDir: string, sql: string, ...params: unknown[]): Record<string, unknown>[] {
  const db = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}
