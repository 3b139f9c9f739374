import type { ApplianceKey } from './keys';

/** What a build needs to make update packages: the appliance's key, and an older build to diff against. */
export interface UpdateBuildOptions {
  key: ApplianceKey;
  /** Also make a diff package against this older build's full package. */
  diffFrom?: { buildId: number; version: string; fullPackage: string };
}
