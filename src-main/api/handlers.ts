import path from 'node:path';
import type { Engine, Handlers } from './engine';
import { EngineError } from './errors';
import { loadSpec, summarizeSpec } from '../spec/load';
import { runDoctor } from '../host/doctor';
import { sampleApplianceDir } from '../util/resources';
import { startBuildJob } from './build-job';
import { startTestJob } from './test-job';
import { ackConsole, attachConsole, bootForPerson, consoleInput, detachConsole, listVms, resizeConsole, stopVm } from './vm-service';
import { diskUsage, readBuildLog } from './build-log';
import { withArtifactFacts } from './artifact-facts';
import fs from 'node:fs';
import { setRelease } from '../upgrade/history';
import { runUpgrades, upgradeMatrix } from '../upgrade/matrix';
import { createAppliance } from './wizard';
import { unwatchAppliance, watchAppliance } from './watch';
import { compareBuilds } from './compare';
import { getUpgradeRun } from './upgrade-run';

const VERSION = '0.1.0';

export function createHandlers(engine: Engine): Handlers {
  return {
    'app.info': () => ({ version: VERSION, home: engine.home, face: engine.options.face, sample: sampleApplianceDir() }),
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
    'appliance.pickFolder': async () => ({ dir: engine.options.pickFolder ? await engine.options.pickFolder() : null }),
    'appliance.recent': () => engine.store().recentAppliances(),
    'build.start': (req) => startBuildJob(engine, req),
    'test.start': (req) => startTestJob(engine, req),
    'job.cancel': (req) => ({ cancelled: engine.jobs.cancel(req.jobId) }),
    'builds.list': (req) => engine.store().listBuilds(req),
    'builds.get': (req) => {
      const b = engine.store().getBuild(req.id);
      if (!b) throw new EngineError('not-found', `no build #${req.id}`);
      return withArtifactFacts(b, engine.store().getBuildRecord(req.id)?.buildDir ?? null);
    },
    'vms.list': () => listVms(engine),
    'vms.stop': (req) => stopVm(engine, req.id, req.force ?? false),
    'vms.boot': (req) => bootForPerson(engine, req.buildId, req.snapshot ?? false, req.hostPorts),
    'vms.attach': (req) => attachConsole(engine, req.id),
    'vms.detach': (req) => detachConsole(engine, req.id),
    'vms.input': (req) => consoleInput(engine, req.id, req.data),
    'vms.resize': (req) => resizeConsole(engine, req.id, req.rows, req.cols),
    'vms.ack': (req) => ackConsole(engine, req.id, req.chars),
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
    'appliance.watch': (req) => watchAppliance(engine, req.dir),
    'appliance.unwatch': (req) => unwatchAppliance(engine, req.dir),
    'builds.compare': (req) => compareBuilds(engine, req.a, req.b),
    'upgrades.matrix': (req) => upgradeMatrix(engine, req.appliance),
    'upgrades.run': (req) => runUpgrades(engine, req),
    'upgrades.run.get': (req) => getUpgradeRun(engine, req.runId),
  };
}
