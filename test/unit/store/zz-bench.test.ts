import { it } from 'vitest';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { openStore } from '../../../src-main/store/store';
import { tmpHome } from './helpers';
it('bench', () => {
  const h = tmpHome();
  const s = openStore(h);
  s.transaction(() => { for (let i = 0; i < 10000; i++) s.createBuild({ appliance: 'a' + (i % 3), dir: '/x', version: '1.0.' + i, createdAt: 1.7e12 + i * 1007 + (i % 1000) }); });
  const db = new Database(s.file);
  const iso1 = "strftime('%Y-%m-%dT%H:%M:%fZ', b.created_at / 1000.0, 'unixepoch')";
  const iso2 = "strftime('%Y-%m-%dT%H:%M:%S', b.created_at / 1000, 'unixepoch') || printf('.%03dZ', b.created_at % 1000)";
  for (const iso of [iso1, iso2]) {
    const rows = db.prepare(`SELECT created_at, ${iso} AS iso FROM builds b`).all() as any[];
    const bad = rows.filter((r) => new Date(r.created_at).toISOString() !== r.iso);
    console.log('mismatch', bad.length, bad[0]);
    const st = db.prepare(`SELECT b.id AS id, a.name AS appliance, b.version AS version, b.status AS status, ${iso} AS createdAt, b.duration_ms AS durationMs, b.bytes AS bytes, b.released AS released, b.error AS error FROM builds b JOIN appliances a ON a.id = b.appliance_id ORDER BY b.created_at DESC, b.id DESC LIMIT -1`);
    const f = () => { const r = st.all() as any[]; for (const x of r) x.released = x.released === 1; return r; };
    f(); const ts = []; for (let i = 0; i < 8; i++) { const t = performance.now(); f(); ts.push(performance.now() - t); } ts.sort((a, b) => a - b); console.log('min', ts[0].toFixed(1), 'med', ts[4].toFixed(1));
  }
  const ts = []; for (let i = 0; i < 8; i++) { const t = performance.now(); s.listBuilds(); ts.push(performance.now() - t); } ts.sort((a, b) => a - b); console.log('store min', ts[0].toFixed(1), 'med', ts[4].toFixed(1));
  db.close(); s.close(); fs.rmSync(h, { recursive: true });
});
