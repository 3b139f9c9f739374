// The appliance's updater, /sbin/yoke-update: a real shell file, resources/guest/yoke-update.sh
// (what it does and why is written there), with its few build-time values filled in here.
import fs from 'node:fs';
import path from 'node:path';
import { resourcesDir } from '../../util/resources';
import { SERVICE_PID_DIR, shQuote } from '../init';
import { SLOT_PLACEHOLDER, TRIAL_TRIES } from '../boot-loader';
import { COMMIT_CHECKS_PATH } from '../../checks/commit-script';

/** Where packages are dropped, relative to the data disk's root (the guest sees <data mount>/updates). */
export const UPDATES_DIR_ON_DATA = '/updates';

export const UPDATE_MARKERS = {
  applied: 'yoke-update: applied',
  refused: 'yoke-update: refused',
  trial: 'yoke-update: trial boot',
  committed: 'yoke-update: committed',
  /** Followed by " from NAME OLD to VERSION: why". */
  rolledBack: 'yoke-update: rolled back',
  /** Followed by " NAME VERSION failed: why; …" (the trial gives itself up and reboots). */
  trialFailed: 'yoke-update: trial of',
} as const;

/** Defaults of upgrade.ready-within and upgrade.settle in appliance.yaml. */
export const TRIAL_READY_S = 120;
export const SETTLE_S = 3;
/** The FAT label of an update medium (FAT labels hold 11 characters). */
export const MEDIUM_LABEL = 'YOKEUPDATE';

export const GUEST_PATHS = {
  script: '/sbin/yoke-update',
  verify: '/usr/lib/yoke/yoke-verify',
  unpatch: '/usr/lib/yoke/yoke-unpatch',
  publicKey: '/etc/yoke/update.pub',
  release: '/etc/yoke/release',
} as const;

export interface UpdaterInput {
  name: string;
  version: string;
  /** Where the data disk is mounted (disks.data.mount), or null without a data disk. */
  dataMount: string | null;
  /** Guest paths of the FAT and NLS modules, in load order. */
  fatModules: string[];
  /** Seconds a trial boot has to become ready, and the time every service must stay up before it commits. */
  readyWithinS?: number;
  settleS?: number;
}

/** The script as it sits in Yoke's resources, with its @KEY@ placeholders. */
export function updaterTemplatePath(): string {
  return path.join(resourcesDir(), 'guest', 'yoke-update.sh');
}

/** The values the build fills in, by placeholder: everything else in the script is fixed. */
export function updaterValues(i: UpdaterInput): Record<string, string> {
  const updates = i.dataMount ? `${i.dataMount.replace(/\/+$/, '')}${UPDATES_DIR_ON_DATA}` : '';
  return {
    NAME: i.name,
    VERSION: i.version,
    UPDATES: updates,
    DATA: i.dataMount ?? '',
    PUB: GUEST_PATHS.publicKey,
    VERIFY: GUEST_PATHS.verify,
    UNPATCH: GUEST_PATHS.unpatch,
    FAT_MODULES: i.fatModules.join(' '),
    TRIAL_READY_S: String(i.readyWithinS ?? TRIAL_READY_S),
    SETTLE_S: String(i.settleS ?? SETTLE_S),
    TRIES: String(TRIAL_TRIES),
    SERVICE_DIR: SERVICE_PID_DIR,
    MEDIUM_LABEL,
    SLOT_MARK: SLOT_PLACEHOLDER,
    COMMIT_CHECKS: COMMIT_CHECKS_PATH,
  };
}

/**
 * Fills each `KEY=@KEY@` line of the template with the sh-quoted value. A placeholder without a
 * value or a value without a placeholder is a mistake in Yoke, said before any image is built.
 */
export function fillUpdater(template: string, values: Record<string, string>): string {
  const used = new Set<string>();
  const out = template.replace(/^([A-Z_]+)=@([A-Z_]+)@$/gm, (line, name: string, key: string) => {
    if (name !== key || !(key in values)) throw new Error(`${updaterTemplatePath()}: no value for the placeholder in "${line}"`);
    used.add(key);
    return `${name}=${shQuote(values[key])}`;
  });
  const left = /@[A-Z_]+@/.exec(out);
  if (left) throw new Error(`${updaterTemplatePath()}: the placeholder ${left[0]} is not on a KEY=@KEY@ line of its own`);
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`${updaterTemplatePath()}: no placeholder for ${unused.join(', ')}`);
  return out;
}

export function generateUpdater(i: UpdaterInput, template = fs.readFileSync(updaterTemplatePath(), 'utf8')): string {
  return fillUpdater(template, updaterValues(i));
}
