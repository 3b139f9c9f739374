import path from 'node:path';
import fs from 'node:fs';
import type { ApiContext, Handlers } from './context';
import type { RunDetail } from './contract';
import { EngineError } from './errors';
import { HARDWARE_VARIANTS } from '../vm/hardware';
import { loadSpec, summarizeSpec } from '../spec/load';
import { requireSpec } from '../spec/require';
import { runDoctor } from '../host/doctor';
import { sampleApplianceDir } from '../util/resources';
import { startBuildJob, upToDateBuild } from '../jobs/build-job';
import { startTestJob } from '../jobs/test-job';
import { startDev } from '../jobs/dev-loop';
import { readCanaryReport, startCanary } from '../jobs/canary-job';
import { exportBuild, importBuild } from '../jobs/build-transfer';
import { buildLinks, setRelease } from '../jobs/releases';
import { readBuildLog } from './build-log';
import { diskUsage } from '../util/disk-usage';
import { runUpgrades, upgradeMatrix } from './upgrade-matrix';
import { withArtifactFacts } from './artifact-facts';
import { createAppliance } from './wizard';
import { checkKindsInfo } from '../checks/kinds';
import { searchPackageNames } from '../build/bases/debian-names';
import { refreshPreview } from '../build/bases/debian-refresh';
import { formatLabels } from '../build/formats';
import { unwatchAppliance, watchAppliance } from './watch';
import { compareBuilds } from './compare';
import { getUpgradeRun } from './upgrade-run';
import { makeBundle } from './bundle';
import { iso, isoOrNull } from '../store/time';

const VERSION = '0.1.0';

function runDetail(engine: ApiContext, id: number): RunDetail {
  const store = engine.store();
  const run = store.getTestRun(id);
  if (!run) throw new EngineError('not-found', `There is no run #${id}.`);
  const build = store.getBuildRecord(run.buildId);
  return {
    id: run.id,
    kind: run.kind,
    buildId: run.buildId,
    fromBuildId: run.fromBuildId,
    appliance: build?.appliance ?? '',
    version: build?.version ?? '',
    status: run.status,
    method: run.method,
    startedAt: iso(run.startedAt),
    finishedAt: isoOrNull(run.finishedAt),
    durationMs: run.finishedAt === null ? null : run.finishedAt - run.startedAt,
    checks: run.checks,
    consoleLog: run.consoleLog,
    oldConsoleLog: run.kind === 'upgrade' ? path.join(engine.home, 'runs', String(run.id), 'old-console.log') : null,
    screenshot: run.screenshot,
    after: run.after,
  };
}

export function createHandlers(engine: ApiContext): Handlers {
  return {
    'app.info': () => ({ version: VERSION, home: engine.home, face: engine.face, sample: sampleApplianceDir(), formats: formatLabels() }),
    'host.doctor': (req) => runDoctor(engine.home, { refresh: req.refresh }),
    'appliance.open': (req) => {
      const dir = path.resolve(req.dir);
      const loaded = loadSpec(dir);
      // No appliance.yaml there (a mistyped path, a file, another folder): that is a bad path to
      // say so about, not an appliance that opened with an error at appliance.yaml:1:1.
      if (!fs.existsSync(loaded.specFile)) throw new EngineError('not-found', loaded.problems[0]?.message ?? `no appliance.yaml in ${dir}`);
      const summary = summarizeSpec(loaded);
      if (summary.valid && summary.name) engine.store().upsertAppliance(summary.name, dir);
      return summary;
    },
    'appliance.validate': (req) => summarizeSpec(loadSpec(path.resolve(req.dir))),
    'appliance.pickFolder': async () => ({ dir: engine.pickFolder ? await engine.pickFolder() : null }),
    'appliance.openSpec': async (req) => {
      // Always the folder's appliance.yaml: the page names a folder and a line, never a file to open.
      const file = path.join(path.resolve(req.dir), 'appliance.yaml');
      if (!fs.existsSync(file)) throw new EngineError('not-found', `no appliance.yaml in ${path.resolve(req.dir)}`);
      return engine.openFileAt ? engine.openFileAt(file, req.line) : { opened: 'none' as const, atLine: false };
    },
    'appliance.recent': () => engine.store().recentAppliances(),
    'build.start': (req) => startBuildJob(engine, req),
    'test.start': (req) => startTestJob(engine, req),
    'job.cancel': (req) => ({ cancelled: engine.jobs.cancel(req.jobId) }),
    'builds.list': (req) => engine.store().listBuilds(req),
    'builds.get': (req) => {
      const b = engine.store().getBuild(req.id);
      if (!b) throw new EngineError('not-found', `no build #${req.id}`);
      const detail = withArtifactFacts(b, engine.store().getBuildRecord(req.id)?.buildDir ?? null);
      // A build made before used bytes were kept: measured now, so History shows it from here on.
      if (b.usedBytes == null && b.status === 'succeeded' && detail.usedBytes) engine.store().setUsedBytes(b.id, detail.usedBytes);
      return detail;
    },
    'builds.links': (req) => buildLinks(engine.store(), req.id),
    'runs.get': (req) => runDetail(engine, req.id),
    'runs.list': (req) => engine.store().listRuns(req),
    'boot.prepare': (req) => {
      const spec = requireSpec(req.dir);
      const current = upToDateBuild(engine, spec);
      return current !== null ? { buildId: current } : startBuildJob(engine, { dir: spec.dir });
    },
    'hardware.list': () => HARDWARE_VARIANTS.map((v) => ({ name: v.name, family: v.family, title: v.title })),
    'builds.screenshot': (req) => {
      const b = engine.store().getBuild(req.id);
      if (!b) throw new EngineError('not-found', `no build #${req.id}`);
      // Newest test run of this build that kept a screenshot (runs are listed newest first).
      const store = engine.store();
      for (const r of store.listRuns({ appliance: b.appliance })) {
        if (r.buildId !== b.id || r.kind !== 'test') continue;
        const shot = store.getTestRun(r.id)?.screenshot;
        if (shot && fs.existsSync(shot)) return { png: fs.readFileSync(shot).toString('base64') };
      }
      return { png: null };
    },
    'vms.screen': (req) => engine.machines.screen(req.id),
    'dev.start': (req) => ({ jobId: startDev(engine, req.dir).jobId }),
    'canary.start': (req) => ({ jobId: startCanary(engine, req).jobId }),
    'canary.get': (req) => readCanaryReport(engine.home, req.jobId),
    'builds.export': (req) => exportBuild(engine.home, engine.store(), req.id, path.resolve(req.file)),
    'builds.import': async (req) => {
      const b = await importBuild(engine.home, engine.store(), path.resolve(req.file));
      engine.emit('builds.changed', { id: b.id });
      return b;
    },
    'vms.list': () => engine.machines.list(),
    'vms.saveData': (req) => engine.machines.saveData(req.id, path.resolve(req.file)),
    'vms.stop': (req) => engine.machines.stop(req.id, req.force ?? false),
    'vms.boot': (req) => engine.machines.boot(req.buildId, req.snapshot ?? false, req.data, req.hostPorts, req.medium),
    'vms.attach': (req) => engine.machines.attach(req.id),
    'vms.detach': (req) => engine.machines.detach(req.id),
    'vms.input': (req) => engine.machines.input(req.id, req.data),
    'vms.resize': (req) => engine.machines.resize(req.id, req.rows, req.cols),
    'vms.ack': (req) => engine.machines.ack(req.id, req.chars),
    'updates.bundle': (req) => makeBundle(engine, req),
    'builds.release': (req) => {
      const store = engine.store();
      setRelease(store, req.id, req.released);
      const b = store.getBuild(req.id)!;
      engine.emit('builds.changed', { id: req.id });
      return b;
    },
    'builds.delete': (req) => {
      const store = engine.store();
      if (!store.getBuildRecord(req.id)) throw new EngineError('not-found', `no build #${req.id}`);
      let freedBytes = 0;
      for (const p of store.deleteBuild(req.id)) {
        freedBytes += diskUsage(p);
        fs.rmSync(p, { recursive: true, force: true });
      }
      engine.emit('builds.changed', { id: req.id });
      return { freedBytes };
    },
    'builds.log': (req) => readBuildLog(engine, req.id, req.tail),
    'appliance.create': (req) => {
      const summary = createAppliance(req);
      if (summary.valid && summary.name) engine.store().upsertAppliance(summary.name, summary.dir);
      return summary;
    },
    'checks.kinds': () => ({ kinds: checkKindsInfo() }),
    'debian.packages': (req) => searchPackageNames(engine.home, req.release, req.query, req.limit),
    'debian.refreshPreview': (req) => refreshPreview(requireSpec(req.dir).dir),
    'appliance.watch': (req) => watchAppliance(engine, req.dir),
    'appliance.unwatch': (req) => unwatchAppliance(engine, req.dir),
    'builds.compare': (req) => compareBuilds(engine, req.a, req.b),
    'upgrades.matrix': (req) => upgradeMatrix(engine, req.appliance),
    'upgrades.run': (req) => runUpgrades(engine, req),
    'upgrades.run.get': (req) => getUpgradeRun(engine, req.runId),
  };
}
