import type Database from 'better-sqlite3';
import { iso } from './time';

export interface RecentAppliance {
  name: string;
  dir: string;
  lastOpened: string;
}

export interface ApplianceQueries {
  /** Remembers an appliance the user opened (or moved: the folder of a name is updated). */
  upsertAppliance(name: string, dir: string, at?: number): number;
  /** Most recently opened first, for the start screen. */
  recentAppliances(limit?: number): RecentAppliance[];
}

export function prepareApplianceQueries(db: Database.Database): ApplianceQueries & { ensureAppliance(name: string, dir: string, at: number): number } {
  const upsert = db.prepare<{ name: string; dir: string; at: number }, { id: number }>(
    `INSERT INTO appliances (name, dir, last_opened) VALUES (@name, @dir, @at)
     ON CONFLICT(name) DO UPDATE SET dir = excluded.dir, last_opened = excluded.last_opened
     RETURNING id`,
  );
  // A build of an appliance never opened in the UI (CLI) registers it without making it "recent".
  const ensure = db.prepare<{ name: string; dir: string; at: number }, { id: number }>(
    `INSERT INTO appliances (name, dir, last_opened) VALUES (@name, @dir, @at)
     ON CONFLICT(name) DO UPDATE SET dir = excluded.dir
     RETURNING id`,
  );
  const recent = db.prepare<[number], { name: string; dir: string; last_opened: number }>(
    'SELECT name, dir, last_opened FROM appliances ORDER BY last_opened DESC, id DESC LIMIT ?',
  );
  return {
    upsertAppliance: (name, dir, at = Date.now()) => upsert.get({ name, dir, at })!.id,
    ensureAppliance: (name, dir, at) => ensure.get({ name, dir, at })!.id,
    recentAppliances: (limit = 20) => recent.all(limit).map((r) => ({ name: r.name, dir: r.dir, lastOpened: iso(r.last_opened) })),
  };
}
