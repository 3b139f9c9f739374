import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expectAccessibleInBothThemes } from '../axe';
import { expect, ROOT, test } from '../fixtures';
import { shoot } from '../shoot';

// Two real Debian builds of the notes-web sample — as shipped (its appliance.lock), then with curl
// added to base.packages (resolved from Debian's archive) — compared: the Compare view lists the
// packages the second build added, each with its version, and nothing else as changed, and the
// files they brought into the root partition (/usr/bin/curl).
test.use({ homeLabel: 'compare-debian' });

const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-e2e-compare-debian-'));
const dir = path.join(parent, 'notes-web');
fs.cpSync(path.join(ROOT, 'resources/sample/notes-web'), dir, { filter: (f) => !f.endsWith('appliance.pub'), recursive: true });
test.afterAll(() => fs.rmSync(parent, { recursive: true, force: true }));

/** `yoke build` in its own process into the served data directory (as a second window or CI would). */
function cliBuild(home: string): Promise<void> {
  const p = spawn(process.execPath, [path.join(ROOT, 'bin/yoke.js'), 'build', dir, '--home', home], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`yoke build exited ${code}: ${err}`)))));
}

test('Compare lists the Debian packages two builds differ in (added, with versions)', async ({ app, served }) => {
  test.setTimeout(1_500_000);
  await cliBuild(served.home);
  const yaml = path.join(dir, 'appliance.yaml');
  fs.writeFileSync(yaml, fs.readFileSync(yaml, 'utf8').replace('packages: [nginx, sqlite3]', 'packages: [nginx, sqlite3, curl]'));
  await cliBuild(served.home);

  await app.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Builds' }).click();
  const table = app.getByRole('table', { name: 'Builds' });
  const boxes = table.getByRole('checkbox', { name: /^Select build \d+ to compare$/ });
  await expect(boxes).toHaveCount(2);
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await app.getByRole('button', { name: 'Compare', exact: true }).click();

  const region = app.getByRole('region', { name: 'Debian packages' });
  const changes = region.getByRole('table', { name: 'Package changes' });
  await expect(changes).toBeVisible({ timeout: 60_000 });
  const curl = changes.getByRole('row').filter({ has: app.getByRole('cell', { name: 'curl', exact: true }) });
  await expect(curl).toContainText('added');
  await expect(curl).toContainText(/\d+\.\d+[^\s]*-\d/);
  // curl brings libraries of its own; nothing the first build had changed version or went away.
  await expect(changes.getByRole('row').filter({ hasText: /upgraded|downgraded|removed/ })).toHaveCount(0);
  await expect(region).toContainText(/Debian bookworm · \d+ added · \d+ the same/);

  await shoot(app, 'compare-debian', region);

  // The files are the root partition's (the erofs the OS disk boots), not the stage-1 initramfs's
  // ~300: curl's own program is listed as added, and each side counts thousands of files.
  const files = app.getByRole('region', { name: 'Rootfs files' });
  const changed = files.getByRole('table', { name: 'Changed files' });
  await expect(changed.getByRole('row').filter({ has: app.getByRole('cell', { name: '/usr/bin/curl', exact: true }) })).toContainText('added');
  await expect(changed.getByRole('row').filter({ hasText: 'removed' })).toHaveCount(0);
  await expect(app.getByRole('table', { name: 'Side by side' }).getByRole('row').filter({ hasText: /^Rootfs/ })).toContainText(/ · \d{4,} files.* · \d{4,} files/);
  await shoot(app, 'compare-debian-files', files);
  await expectAccessibleInBothThemes(app);
});
