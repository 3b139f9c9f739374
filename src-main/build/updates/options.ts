import type { FolderKey } from './folder-key';

/** What a build needs to make update packages: the appliance's key, and an older build to diff against. */
export interface UpdateBuildOptions {
  /** The folder's key (appliance.pub); without its private half the packages are not made. */
  key: FolderKey;
  /** Also make a diff package against this older build's full package. */
  diffFrom?: { buildId: number; version: string; fullPackage: string };
}
