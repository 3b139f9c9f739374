import type { CliCommand } from './types';
import { validateCommand } from './commands/validate';
import { buildCommand } from './commands/build';
import { doctorCommand } from './commands/doctor';
import { testCommand } from './commands/test';
import { bootCommand } from './commands/boot';
import { serveCommand } from './commands/serve';
import { releaseCommand } from './commands/release';
import { bundleCommand } from './commands/bundle';
import { upgradeTestCommand } from './commands/upgrade-test';
import { historyCommand } from './commands/history';
import { devCommand } from './commands/dev';
import { canaryCommand } from './commands/canary';
import { exportCommand, importCommand } from './commands/transfer';
import { dataCommand } from './commands/data';
import { lintOvaCommand } from './commands/lint-ova';

// Only commands that exist are listed here, so `yoke --help` never promises one that doesn't.
export const cliCommands: CliCommand[] = [validateCommand, buildCommand, testCommand, devCommand, bootCommand, releaseCommand, bundleCommand, upgradeTestCommand, canaryCommand, historyCommand, exportCommand, importCommand, dataCommand, lintOvaCommand, doctorCommand, serveCommand];
