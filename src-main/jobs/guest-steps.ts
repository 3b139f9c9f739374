// The upgrade's own steps, reported like checks so one list shows the whole path: the seed
// and verify commands of appliance.yaml, and the power-off between the two boots.
import type { CheckResult } from '../api/contract';
import type { VirtualMachine as Machine } from '../vm/hypervisor';

/** `rolledback`: OLD's checks again, after an update failed on the appliance and it went back by itself. */
export type UpgradePhase = 'old' | 'seed' | 'upgraded' | 'verify' | 'rolledback';

const COMMAND_TIMEOUT_MS = 60_000;

function result(name: string, kind: string, phase: UpgradePhase, started: number, ok: boolean, message: string): CheckResult {
  return { name, kind, status: ok ? 'passed' : 'failed', message, durationMs: Date.now() - started, phase };
}

/** Runs each command in the guest in order; a command that fails does not stop the next. */
export async function runGuestCommands(vm: Machine, commands: string[], phase: 'seed' | 'verify', onResult?: (r: CheckResult) => void): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  if (commands.length === 0) return out;
  const waitStart = Date.now();
  try {
    await vm.waitForControl(COMMAND_TIMEOUT_MS);
  } catch (e) {
    for (const cmd of commands) {
      const r = result(`${phase}: ${cmd}`, 'command', phase, waitStart, false, `the guest's control channel never answered: ${(e as Error).message}`);
      out.push(r);
      onResult?.(r);
    }
    return out;
  }
  for (const cmd of commands) {
    const started = Date.now();
    let r: CheckResult;
    try {
      const x = await vm.execute(cmd, { timeoutMs: COMMAND_TIMEOUT_MS });
      const said = (x.stderr || x.stdout).trim().split('\n').slice(-5).join('\n');
      r = x.exitCode === 0
        ? result(`${phase}: ${cmd}`, 'command', phase, started, true, 'exit 0')
        : result(`${phase}: ${cmd}`, 'command', phase, started, false, `exit ${x.exitCode}${said ? `: ${said}` : ''}`);
    } catch (e) {
      r = result(`${phase}: ${cmd}`, 'command', phase, started, false, (e as Error).message);
    }
    out.push(r);
    onResult?.(r);
  }
  return out;
}

/** ACPI power-off; anything but a clean one means the data disk may not hold what was seeded. */
export async function cleanPowerOff(vm: Machine, phase: UpgradePhase): Promise<CheckResult> {
  const started = Date.now();
  const how = await vm.stop({ graceMs: 30_000 });
  const ok = how === 'powerdown' || (how === 'exited' && vm.console.output.includes('yoke: power off'));
  return result('power off cleanly', 'power', phase, started, ok, ok ? 'ACPI power-off, filesystems unmounted' : `the guest did not power off on the ACPI button (stopped by ${how}); the data disk may not be clean`);
}

export function stepResult(name: string, kind: string, phase: UpgradePhase, started: number, ok: boolean, message: string): CheckResult {
  return result(name, kind, phase, started, ok, message);
}
