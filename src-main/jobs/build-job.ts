import fs from 'node:fs';
import path from 'node:path';
import type { JobContext } from './context';
import type { EventPayload, Req } from '../api/contract';
import type { StageStatus } from '../api/contract';
import { EngineError } from '../api/errors';
import { diskUsage } from '../util/disk-usage';
import { requireSpec } from '../spec/require';
import { requireKnownPackages } from '../build/bases/debian-names';
import { evictDebianCache } from '../build/bases/debian-evict';
import { readLock } from '../build/bases/debian-lock';
import { releasedDebianLocks } from './releases';
import { saveSpecSnapshot } from './build-files';
import { runBuild, type BuildArtifact, type BuildResult } from '../build/pipeline';
import type { ApplianceSpec } from '../spec/types';
import type { ArtifactKind } from '../store/store';
import type { JobHandle, JobOutcome } from './jobs';
import { runHook } from '../tools/hook';
import { requireDiffBase, updateOptions } from './update-options';

/** How the pipeline's artifact kinds are kept in the store (boot files travel with the OS disk). */
function storeKind(a: BuildArtifact): ArtifactKind | null {
  if (a.kind === 'ova') return 'ova';
  if (a.kind === 'update-full' || a.kind === 'update-diff' || a.kind === 'update-medium') return a.kind;
  if (a.kind === 'disk' || a.kind === 'flavour' || a.kind === 'export') return 'disk';
  return null;
}

/** A log file per build, fed by the same lines the job streams to the faces (buffered: hooks can print a lot). */
function openLog(home: string, buildId: number): { path: string; write(level: string, text: string): void; close(): void } {
  const dir = path.join(home, 'logs');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `build-${buildId}.log`);
  const fd = fs.openSync(file, 'a');
  let buf: string[] = [];
  let size = 0;
  const flush = () => {
    if (buf.length) fs.writeSync(fd, buf.join(''));
    buf = [];
    size = 0;
  };
  return {
    path: file,
    write: (level, text) => {
      const line = `${new Date().toISOString()} ${level.padEnd(5)} ${text}\n`;
      buf.push(line);
      size += line.length;
      if (size > 65536 || level === 'error') flush();
    },
    close: () => {
      flush();
      fs.closeSync(fd);
    },
  };
}

async function runPostBuildHooks(spec: ApplianceSpec, buildId: number, result: BuildResult, job: JobHandle, log: (text: string) => void): Promise<void> {
  for (const hook of spec.hooks.postBuild) {
    job.log('info', `hook post-build: ${hook}`);
    await runHook(path.resolve(spec.dir, hook), {
      cwd: spec.dir,
      signal: job.signal,
      env: {
        YOKE_BUILD_ID: String(buildId),
        YOKE_APPLIANCE: spec.name,
        YOKE_VERSION: spec.version,
        YOKE_BUILD_DIR: result.buildDir,
        YOKE_INPUTS_HASH: result.inputsHash,
      },
      // Lines stream into the build log as the hook prints them (a chatty hook is the live log's worst case).
      onLine: log,
    });
  }
}

export type BuildRequest = Req<'build.start'>;

/** cache/debian kept within its limit after a Debian build; never what released builds or this one installed. */
function keepDebianCacheSmall(engine: JobContext, buildDir: string, say: (level: 'debug', text: string) => void): void {
  const own = readLock(path.join(buildDir, 'appliance.lock'));
  const limit = Number(process.env.YOKE_DEBIAN_CACHE_LIMIT);
  const ev = evictDebianCache(engine.home, { keep: [...releasedDebianLocks(engine.store()), ...(own ? [own] : [])], ...(limit > 0 ? { limitBytes: limit } : {}) });
  if (ev.mirrors.length || ev.debs.length) say('debug', `cache/debian: evicted ${ev.mirrors.length} least recently used mirrors and ${ev.debs.length} packages no kept build needs`);
}

/** Newest change under a folder (the appliance): a build older than it may be stale. */
/** Files a build itself writes into the appliance folder: they say nothing about the user's edits. */
const WRITTEN_BY_BUILDS = new Set(['appliance.pub', 'appliance.lock']);

function newestChange(dir: string): number {
  let newest = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (d === dir && WRITTEN_BY_BUILDS.has(e.name)) continue;
      const p = path.join(d, e.name);
      const st = fs.lstatSync(p);
      newest = Math.max(newest, st.mtimeMs, st.ctimeMs);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return newest;
}

/**
 * The newest succeeded build of this appliance folder when nothing in the folder changed since
 * it was made (so `yoke test` / `yoke boot` don't add a build row per run), else null.
 */
export function upToDateBuild(engine: JobContext, spec: ApplianceSpec): number | null {
  const latest = engine.store().latestBuild(spec.name, 'succeeded');
  if (!latest || latest.version !== spec.version || latest.dir !== spec.dir) return null;
  if (!latest.buildDir || !fs.existsSync(latest.buildDir)) return null;
  return Date.parse(latest.createdAt) > newestChange(spec.dir) ? latest.id : null;
}

/** Starts a build job: the spec is checked first (spec errors never create a build row). */
export function startBuild(engine: JobContext, req: BuildRequest): { jobId: string; buildId: number; done: Promise<JobOutcome> } {
  const spec = requireSpec(req.dir);
  // A package the release does not have is a mistake in the spec: refused here, before a build row.
  requireKnownPackages(engine.home, spec, req.refresh);
  const store = engine.store();
  const parent = store.latestBuild(spec.name, 'succeeded');
  // A wrong --diff-from is a mistake in the request: refused here, before a build row (exit 2).
  if (req.diffFrom !== undefined) requireDiffBase(engine, spec.name, spec.version, req.diffFrom);
  const buildId = store.createBuild({
    appliance: spec.name,
    dir: spec.dir,
    version: spec.version,
    parentId: parent?.id ?? null,
    flavour: req.flavour ?? null,
  });
  const buildDir = path.join(engine.home, 'builds', spec.name, `${spec.version}-${buildId}`);
  const started = Date.now();
  const { jobId, done } = engine.jobs.start('build', `Build ${spec.name} ${spec.version}`, async (job) => {
    job.setBuildId(buildId);
    const log = openLog(engine.home, buildId);
    store.setBuildPaths(buildId, { buildDir, logPath: log.path });
    const say = (level: 'debug' | 'info' | 'warn' | 'error', text: string) => {
      log.write(level, text);
      job.log(level, text);
    };
    try {
      say('info', `build #${buildId}: ${spec.name} ${spec.version} from ${spec.dir}`);
      const result = await runBuild({
        home: engine.home,
        spec,
        flavour: req.flavour,
        outputs: req.outputs,
        noCache: req.noCache,
        refresh: req.refresh,
        strict: req.strict,
        updates: updateOptions(engine, spec.name, spec.dir, req.diffFrom, parent?.id ?? undefined, spec.version),
        buildDir,
        signal: job.signal,
        onLog: say,
        onProgress: (stage, fraction, msg) => job.progress(stage, fraction, msg),
        onStage: (s) => {
          job.stage({ name: s.name, status: s.status as StageStatus, cacheHit: s.cacheHit, durationMs: Math.round(s.durationMs) });
          if (s.status === 'running') return;
          say('info', `stage ${s.name}: ${s.status}${s.cacheHit ? ' (cached)' : ''} in ${Math.round(s.durationMs)} ms`);
          store.addStage({ buildId, name: s.name, status: s.status, cacheHit: s.cacheHit, durationMs: Math.round(s.durationMs) });
        },
      });
      for (const w of result.warnings) say('warn', w);
      saveSpecSnapshot(result.buildDir, spec);
      let bytes = 0;
      let usedBytes = 0;
      for (const a of result.artifacts) {
        const kind = storeKind(a);
        if (!kind) continue;
        bytes += a.bytes;
        usedBytes += diskUsage(a.path);
        store.addArtifact({ buildId, format: a.format, disk: a.disk ?? null, kind, path: a.path, bytes: a.bytes, sha256: a.sha256 });
      }
      if (spec.base.userland === 'debian') keepDebianCacheSmall(engine, result.buildDir, say);
      await runPostBuildHooks(spec, buildId, result, job, (text) => say('info', text));
      store.finishBuild(buildId, { status: 'succeeded', durationMs: Date.now() - started, bytes, usedBytes, inputsHash: result.inputsHash });
      say('info', `build #${buildId} succeeded in ${((Date.now() - started) / 1000).toFixed(2)} s`);
      return { buildId };
    } catch (e) {
      const cancelled = job.signal.aborted;
      const message = cancelled ? 'cancelled' : (e as Error).message;
      say('error', `build #${buildId} ${cancelled ? 'cancelled' : 'failed'}: ${message}`);
      store.finishBuild(buildId, { status: cancelled ? 'cancelled' : 'failed', durationMs: Date.now() - started, error: message });
      throw e;
    } finally {
      log.close();
    }
  }, { buildId });
  return { jobId, buildId, done };
}

/**
 * Runs a build inside another job (test, upgrade test): its log and progress flow into that
 * job, cancelling that job cancels the build. Resolves with the build id; throws when it failed.
 */
export async function buildWithin(engine: JobContext, dir: string, job: JobHandle, what = 'the build', share = 0.5): Promise<number> {
  const b = startBuild(engine, { dir });
  job.setBuildId(b.buildId);
  const forward = engine.on((event, payload) => {
    if ((payload as { jobId?: string }).jobId !== b.jobId) return;
    if (event === 'job.log') for (const l of (payload as EventPayload<'job.log'>).lines) job.log(l.level, l.text);
    if (event === 'job.stage') {
      const { jobId: _inner, buildId: _b, ...s } = payload as EventPayload<'job.stage'>;
      job.stage(s);
    }
    if (event === 'job.progress') {
      // The build is the first `share` of the outer job's progress.
      const p = payload as EventPayload<'job.progress'>;
      job.progress('build', p.fraction === null ? null : p.fraction * share, p.message ?? p.phase);
    }
  });
  const onAbort = () => engine.jobs.cancel(b.jobId);
  job.signal.addEventListener('abort', onAbort);
  const outcome = await b.done.finally(() => {
    forward();
    job.signal.removeEventListener('abort', onAbort);
  });
  if (outcome.status !== 'succeeded') throw new EngineError('failed', `${what} failed: ${outcome.error ?? outcome.status}`);
  return b.buildId;
}

/** A request for the spec's own build: only such a build can stand in for it (no flavour, no other outputs, no forced work). */
function plainRequest(req: BuildRequest): boolean {
  return !req.flavour && !req.outputs?.length && !req.noCache && !req.refresh && !req.strict && req.diffFrom === undefined;
}

/**
 * The build a plain Build of `spec` may reuse: the newest succeeded one when nothing in the
 * folder changed since, made the plain way (no flavour) with every output the spec asks for
 * (a `yoke build --output raw` build is not a stand-in for the whole set), else null.
 */
export function reusableBuild(engine: JobContext, spec: ApplianceSpec): number | null {
  const id = upToDateBuild(engine, spec);
  if (id === null) return null;
  const store = engine.store();
  if (store.getBuildRecord(id)?.flavour) return null;
  const formats = new Set(store.getBuild(id)?.artifacts.map((a) => a.format) ?? []);
  return spec.outputs.every((f) => formats.has(f)) ? id : null;
}

/**
 * A build job that makes no build: nothing changed since #`id`, so History keeps one build of
 * these inputs. It is still a job (started, logged, finished), so every face hears the outcome.
 */
function reuseBuild(engine: JobContext, spec: ApplianceSpec, id: number): { jobId: string; buildId: number; unchangedSince: number } {
  const { jobId } = engine.jobs.start(
    'build',
    `Build ${spec.name} ${spec.version}`,
    async (job) => {
      job.log('info', `No changes since build #${id}: nothing in ${spec.dir} changed since it was made, so it is reused (Rebuild anyway makes a new one).`);
      job.progress('reuse', 1, `no changes since #${id}`);
      return { buildId: id, unchangedSince: id };
    },
    { buildId: id },
  );
  return { jobId, buildId: id, unchangedSince: id };
}

export function startBuildJob(engine: JobContext, req: BuildRequest): { jobId: string; buildId: number; unchangedSince?: number } {
  if (req.reuse && plainRequest(req)) {
    const spec = requireSpec(req.dir);
    const id = reusableBuild(engine, spec);
    if (id !== null) return reuseBuild(engine, spec, id);
  }
  const { jobId, buildId } = startBuild(engine, req);
  return { jobId, buildId };
}
