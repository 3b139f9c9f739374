// `yoke export BUILD FILE` / `yoke import FILE`: a build moves between data directories (a CI
// runner's and QA's desktop) with its artifacts, stages, checks, logs and runs. The archive is a
// plain tar: `yoke-build.json` first (the record, every file's size and SHA-256), then the files.
// An import verifies every file against the record before anything is written to the store:
// all of it arrives, or none.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tar from 'tar-stream';
import type { BuildDetail, BuildSummary, CheckResult } from '../api/contract';
import { EngineError } from '../api/errors';
import { diskUsage } from '../util/disk-usage';
import { writeTar } from '../build/tar';
import { hashFileSync } from '../build/hash';
import type { Store } from '../store/store';
import { SPEC_SNAPSHOT } from './build-files';

export const EXPORT_FORMAT = 'yoke-build-1';
const MANIFEST = 'yoke-build.json';

interface ExportedFile {
  /** Name in the archive. */
  name: string;
  bytes: number;
  sha256: string;
}

interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  build: BuildDetail & { buildDirFiles: (ExportedFile & { rel: string; artifact?: { format: string; disk?: 'os' | 'data'; kind: string } })[]; log?: ExportedFile };
  runs: { kind: 'test' | 'upgrade'; status: string; method: 'swap' | 'package' | null; fromBuildId: number | null; startedAt: string; finishedAt: string | null; checks: CheckResult[]; consoleLog?: ExportedFile }[];
}

function walk(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walk(dir, r));
    else if (e.isFile()) out.push(r);
  }
  return out.sort();
}

export async function exportBuild(home: string, store: Store, id: number, file: string): Promise<{ bytes: number; files: number }> {
  const b = store.getBuild(id);
  const rec = store.getBuildRecord(id);
  if (!b || !rec) throw new EngineError('not-found', `There is no build #${id}.`);
  if (b.status !== 'succeeded' || !rec.buildDir || !fs.existsSync(rec.buildDir)) throw new EngineError('invalid-request', `Build #${id} ${b.status}${rec.buildDir && !fs.existsSync(rec.buildDir) ? ' and its files are gone' : ''}; only a succeeded build with its files can be exported.`);
  const entries: { name: string; file: string; size: number }[] = [];
  const fileEntry = (name: string, src: string): ExportedFile => {
    const bytes = fs.statSync(src).size;
    entries.push({ name, file: src, size: bytes });
    return { name, bytes, sha256: hashFileSync(src) };
  };
  const buildDirFiles = walk(rec.buildDir).map((rel, i) => {
    const abs = path.join(rec.buildDir!, rel);
    const a = b.artifacts.find((x) => x.path === abs);
    return { ...fileEntry(`f/${i}`, abs), rel, ...(a ? { artifact: { format: a.format, ...(a.disk ? { disk: a.disk } : {}), kind: a.kind ?? 'disk' } } : {}) };
  });
  const log = rec.logPath && fs.existsSync(rec.logPath) ? fileEntry('build.log', rec.logPath) : undefined;
  const runs = store
    .listRuns({ appliance: b.appliance })
    .filter((r) => r.buildId === id)
    .reverse()
    .map((r) => {
      const full = store.getTestRun(r.id)!;
      return {
        kind: full.kind,
        status: full.status,
        method: full.method,
        fromBuildId: full.fromBuildId,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        checks: full.checks,
        ...(full.consoleLog && fs.existsSync(full.consoleLog) ? { consoleLog: fileEntry(`runs/${r.id}.log`, full.consoleLog) } : {}),
      };
    });
  const manifest: ExportManifest = { format: EXPORT_FORMAT, build: { ...b, buildDirFiles, ...(log ? { log } : {}) }, runs };
  const tmp = `${file}.partial-${process.pid}`;
  try {
    await writeTar(tmp, [{ name: MANIFEST, data: Buffer.from(JSON.stringify(manifest, null, 1)) }, ...entries], Math.floor(Date.now() / 1000));
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return { bytes: fs.statSync(file).size, files: entries.length };
}

/** Reads the archive, writing every member to `staging` and checking it against the manifest. */
async function unpack(file: string, staging: string): Promise<ExportManifest> {
  let manifest: ExportManifest | null = null;
  const expected = new Map<string, ExportedFile>();
  const x = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    x.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      if (h.name === MANIFEST) {
        stream.on('data', (c: unknown) => chunks.push(c as Buffer));
        stream.on('end', () => {
          try {
            manifest = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportManifest;
          } catch {
            return reject(new EngineError('invalid-request', `${file}: its ${MANIFEST} is not JSON: not a Yoke build export.`));
          }
          if (manifest.format !== EXPORT_FORMAT) return reject(new EngineError('invalid-request', `${file}: format ${String(manifest.format)}, this Yoke reads ${EXPORT_FORMAT}.`));
          for (const f of [...manifest.build.buildDirFiles, ...(manifest.build.log ? [manifest.build.log] : []), ...manifest.runs.flatMap((r) => (r.consoleLog ? [r.consoleLog] : []))]) expected.set(f.name, f);
          next();
        });
        return;
      }
      if (!manifest) return reject(new EngineError('invalid-request', `${file}: ${MANIFEST} is not its first member: not a Yoke build export.`));
      const want = expected.get(h.name);
      if (!want) return reject(new EngineError('invalid-request', `${file}: ${h.name} is not named in ${MANIFEST}.`));
      const out = path.join(staging, h.name.replace(/\//g, '_'));
      const hash = crypto.createHash('sha256');
      const ws = fs.createWriteStream(out);
      stream.on('data', (c: unknown) => hash.update(c as Buffer));
      stream.pipe(ws);
      ws.on('error', reject);
      ws.on('finish', () => {
        const got = hash.digest('hex');
        if (got !== want.sha256) return reject(new EngineError('invalid-request', `${file}: ${h.name} has SHA-256 ${got}, the record says ${want.sha256}. The archive is damaged or was changed; nothing was imported.`));
        expected.delete(h.name);
        next();
      });
    });
    x.on('finish', resolve);
    x.on('error', (e) => reject(new EngineError('invalid-request', `${file}: not a readable tar (${e.message}).`)));
  });
  fs.createReadStream(file).on('error', (e) => x.destroy(e)).pipe(x);
  await done;
  if (!manifest) throw new EngineError('invalid-request', `${file}: no ${MANIFEST}: not a Yoke build export.`);
  if (expected.size) throw new EngineError('invalid-request', `${file}: ${[...expected.keys()].slice(0, 3).join(', ')} missing (the archive is cut short); nothing was imported.`);
  return manifest;
}

export async function importBuild(home: string, store: Store, file: string): Promise<BuildSummary> {
  if (!fs.existsSync(file)) throw new EngineError('invalid-request', `${file}: no such file.`);
  const tmpRoot = path.join(home, 'tmp');
  fs.mkdirSync(tmpRoot, { recursive: true });
  const staging = fs.mkdtempSync(path.join(tmpRoot, 'import-'));
  try {
    const m = await unpack(file, staging);
    const b = m.build;
    if (!b.buildDirFiles.some((f) => f.rel === SPEC_SNAPSHOT)) throw new EngineError('invalid-request', `${file}: the build has no ${SPEC_SNAPSHOT}; it could not be tested here, so it is not imported.`);
    const id = store.transaction(() => {
      const newId = store.createBuild({ appliance: b.appliance, dir: b.dir ?? '', version: b.version, inputsHash: b.inputsHash, createdAt: Date.parse(b.createdAt) });
      store.finishBuild(newId, { status: 'succeeded', durationMs: b.durationMs, bytes: b.bytes, error: null, inputsHash: b.inputsHash });
      for (const s of b.stages) store.addStage({ buildId: newId, name: s.name, status: s.status, cacheHit: s.cacheHit, durationMs: s.durationMs });
      if (b.released) store.setReleased(newId, true);
      return newId;
    });
    const buildDir = path.join(home, 'builds', b.appliance, `${b.version}-${id}`);
    fs.mkdirSync(buildDir, { recursive: true });
    for (const f of b.buildDirFiles) {
      const dest = path.join(buildDir, f.rel);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.renameSync(path.join(staging, f.name.replace(/\//g, '_')), dest);
      if (f.artifact) store.addArtifact({ buildId: id, format: f.artifact.format, disk: f.artifact.disk ?? null, kind: f.artifact.kind as never, path: dest, bytes: f.bytes, sha256: f.sha256 });
    }
    store.setUsedBytes(id, b.buildDirFiles.reduce((n, f) => n + (f.artifact ? diskUsage(path.join(buildDir, f.rel)) : 0), 0));
    let logPath: string | null = null;
    if (b.log) {
      logPath = path.join(home, 'logs', `build-${id}.log`);
      fs.mkdirSync(path.dirname(logPath), { recursive: true });
      fs.renameSync(path.join(staging, b.log.name), logPath);
    }
    store.setBuildPaths(id, { buildDir, logPath });
    // Only test runs travel: an upgrade run names an OLD build of the other data directory.
    for (const r of m.runs.filter((x) => x.kind === 'test' && x.status !== 'running')) {
      const runId = store.createTestRun({ buildId: id, kind: 'test', startedAt: Date.parse(r.startedAt) });
      for (const c of r.checks) store.addCheckResult(runId, c);
      let consoleLog: string | null = null;
      if (r.consoleLog) {
        consoleLog = path.join(home, 'runs', String(runId), 'console.log');
        fs.mkdirSync(path.dirname(consoleLog), { recursive: true });
        fs.renameSync(path.join(staging, r.consoleLog.name.replace(/\//g, '_')), consoleLog);
      }
      store.finishTestRun(runId, { status: r.status as 'passed', consoleLog, finishedAt: r.finishedAt ? Date.parse(r.finishedAt) : undefined });
    }
    return store.listBuilds({ appliance: b.appliance }).find((x) => x.id === id)!;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
