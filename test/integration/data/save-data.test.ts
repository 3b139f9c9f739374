// A running VM's data disk saved to a file, by the process that owns the VM and by another one
// (`yoke data save` in a second terminal), in the format the file's extension names; the saved
// disk then serves as another appliance's --data.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/api/engine';
import { debugfsCat } from '../../../src-main/tools/debugfs';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { yoke } from '../cli/cli-harness';
import { buildId, cli, makeAppliance } from '../upgrade/helpers';
import { execFileSync } from 'node:child_process';

afterAll(removeTestHomes);

describe('saving a running VM\'s data disk', () => {
  it('saves it from the owning engine and from another process, and it attaches as --data', async () => {
    const home = await makeTestHome('yoke-savedata-');
    const id = await buildId(home, makeAppliance(home, 'app', '1.0.0'));
    const engine = new Engine({ home, face: 'cli' });
    try {
      const { jobId } = await engine.request('test.start', { buildId: id, keepRunning: true });
      const done = await engine.jobs.wait(jobId);
      expect(done.status, done.error).toBe('succeeded');
      const vm = engine.machines.live(done.vmId!).machine;
      await vm.succeed('echo "saved while running" > /data/saved.txt && sync');

      const own = path.join(home, 'out', 'own.qcow2');
      const r = await engine.request('vms.saveData', { id: vm.vmid, file: own });
      expect(r).toMatchObject({ file: own, format: 'qcow2' });
      expect(JSON.parse(execFileSync('qemu-img', ['info', '--output=json', own], { encoding: 'utf8' })).format).toBe('qcow2');

      // Another process: the CLI reaches the VM through its shared QMP monitor.
      const other = path.join(home, 'out', 'other.vmdk');
      const c = await yoke(['data', 'save', vm.vmid, other], { home });
      expect(c.code, c.stderr).toBe(0);
      const raw = path.join(home, 'out', 'other.raw');
      execFileSync('qemu-img', ['convert', '-f', 'vmdk', '-O', 'raw', other, raw]);
      expect(await debugfsCat(raw, '/saved.txt')).toContain('saved while running');
      const bad = await yoke(['data', 'save', vm.vmid, path.join(home, 'out', 'x.zip')], { home });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/name the format by its extension/);
      await engine.request('vms.stop', { id: vm.vmid });
    } finally {
      await engine.close();
    }
    // The saved disk is data for the next test.
    const t = await cli(home, 'test', '--build', String(id), '--data', path.join(home, 'out', 'own.qcow2'), '--json');
    expect(t.code, t.err).toBe(0);
    expect(fs.existsSync(path.join(home, 'out', 'own.qcow2'))).toBe(true);
  }, 300_000);
});
