import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_KINDS } from '../../../src-main/checks/kinds';
import { formatProblem, loadSpec } from '../../../src-main/spec/load';
import { fixture, tmpAppliance } from './fixtures';

/** The only problem of a fixture: [line, col, message]. */
function only(dir: string): [number, number, string] {
  const r = loadSpec(dir);
  expect(r.spec).toBeUndefined();
  expect(r.problems).toHaveLength(1);
  const p = r.problems[0];
  expect(p.file).toBe(path.join(dir, 'appliance.yaml'));
  return [p.line, p.col, p.message];
}

describe('loadSpec: each mistake in appliance-spec.md, with its line, column and message', () => {
  const cases: [string, number, number, string][] = [
    ['unknown-key', 3, 1, "unknown key 'servics' (did you mean 'services'?)"],
    ['wrong-type', 5, 9, "expected a whole number of CPUs, found 'two'"],
    ['bad-size', 4, 15, "bad size '1Q': expected a number and a unit, like 512M, 1G, 20G"],
    ['bad-name', 1, 7, "bad name 'Hello Web': use lower-case letters, digits and '-', starting with a letter or digit (like hello-web)"],
    ['bad-version', 2, 10, 'expected a semantic version like 1.0.0, found the number 1.0'],
    ['missing-required', 1, 1, "missing required key 'version': expected a semantic version like 1.0.0"],
    ['duplicate-service', 6, 11, "service 'web' is defined twice (first at line 4); service names must be unique"],
    ['unknown-service-check', 7, 14, "check names service 'wbe', but no service has that name (did you mean 'web'?)"],
    ['port-out-of-range', 5, 16, 'port must be between 1 and 65535, found 70000'],
    ['duplicate-forward', 6, 16, 'guest port 80 is forwarded twice (first at line 5); list each guest port once'],
    ['duplicate-host-port', 6, 26, 'host port 8080 is used by two forwards (first at line 5); each forward needs its own host port'],
    ['http-not-forwarded', 7, 19, 'http check on guest port 8080, but network.forward has no { guest: 8080 }; add it so the host can reach the port'],
    ['check-two-kinds', 5, 5, 'a check has exactly one kind, found port and mount; split it into 2 checks'],
    ['yaml-syntax', 6, 1, 'YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['duplicate-key', 3, 1, "key 'name' is written twice in the same mapping; keys must be unique"],
    ['empty', 1, 1, 'appliance.yaml is empty; expected a mapping with at least name: and version:'],
    ['not-yaml', 1, 1, "expected a YAML mapping of keys (name:, version:, ...), found 'This folder holds my appliance. It is...'"],
  ];
  it.each(cases)('%s -> line %i col %i', (name, line, col, message) => {
    expect(only(fixture(name))).toEqual([line, col, message]);
  });

  // Issue 15 item 6: the mount point goes into /etc/fstab; a newline once added an fstab line mounting the disk over /etc.
  it.each([
    ['/data\n/etc', 'bad mount point'],
    ['/my data', 'bad mount point'],
    ['/data\t', 'bad mount point'],
    ['//', 'bad mount point'],
    ['//data', 'bad mount point'],
    ['/data//x', 'bad mount point'],
    ['/data/', 'bad mount point'],
    ['/srv/../etc', 'bad mount point'],
    ['/..', 'bad mount point'],
    ['/./data', 'bad mount point'],
    ['data', 'bad mount point'],
    ['/', "the data disk cannot be mounted at '/'"],
    ['/etc', 'the data disk cannot be mounted at /etc: the system needs that folder'],
    ['/proc/x', 'the data disk cannot be mounted at /proc/x'],
  ])('disks.data.mount %j is refused at its line', (mount, message) => {
    const dir = tmpAppliance(`name: a\nversion: 1.0.0\ndisks:\n  data:\n    mount: ${JSON.stringify(mount)}\n`);
    const [line, col, msg] = only(dir);
    expect([line, col]).toEqual([5, 12]);
    expect(msg).toContain(message);
  });

  it.each(['/data', '/var/lib/app', '/srv/.cache', '/mnt/data-1'])('disks.data.mount %s is accepted', (mount) => {
    const r = loadSpec(tmpAppliance(`name: a\nversion: 1.0.0\ndisks:\n  data: { mount: ${mount} }\n`));
    expect(r.problems).toEqual([]);
    expect(r.spec!.disks.data!.mount).toBe(mount);
  });

  it('missing overlay directory points at the overlay value', () => {
    const dir = fixture('missing-overlay');
    expect(only(dir)).toEqual([4, 12, `overlay directory 'files' not found in ${dir}; create it or fix the path`]);
  });

  it('a path leaving the folder with .. is refused even when the target exists', () => {
    const dir = fixture('path-escape');
    expect(only(dir)).toEqual([4, 12, `overlay directory '../valid/rootfs' leaves the appliance folder; paths must stay inside ${dir}`]);
  });

  it('an absolute path is refused', () => {
    const dir = fixture('absolute-path');
    expect(only(dir)).toEqual([4, 11, `kernel image '/boot/vmlinuz' is an absolute path; write it relative to the appliance folder ${dir}`]);
  });

  // Issue 15 item 10: appliance.yaml as a symlink out of the folder was followed, and its first bytes echoed.
  it('appliance.yaml as a symlink leading out of the folder is refused without reading it', () => {
    const dir = tmpAppliance();
    const secret = path.join(path.dirname(dir), 'secret.txt');
    fs.writeFileSync(secret, 'TOP-SECRET-BYTES and more\n');
    fs.symlinkSync(secret, path.join(dir, 'appliance.yaml'));
    const r = loadSpec(dir);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].message).toBe('appliance.yaml is a symlink to a file outside the appliance folder; copy the spec into the folder instead');
    expect(JSON.stringify(r)).not.toContain('TOP-SECRET');
    // inside the folder a symlink is fine
    const inside = tmpAppliance(undefined, { 'specs/real.yaml': 'name: a\nversion: 1.0.0\n' });
    fs.symlinkSync('specs/real.yaml', path.join(inside, 'appliance.yaml'));
    expect(loadSpec(inside).problems).toEqual([]);
  });

  it('a symlink resolving outside the folder is refused', () => {
    const dir = tmpAppliance('name: a\nversion: 1.0.0\nrootfs:\n  overlay: files\n');
    const outside = path.join(path.dirname(dir), 'outside');
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(dir, 'files'));
    const [line, col, message] = only(dir);
    expect([line, col]).toEqual([4, 12]);
    expect(message).toBe(`overlay directory 'files' resolves to ${fs.realpathSync(outside)} through a symlink, outside the appliance folder; copy it into the folder instead`);
  });

  it('rootfs: without overlay means the folder rootfs, and says so when it is missing', () => {
    const dir = tmpAppliance('name: a\nversion: 1.0.0\nrootfs:\n  exclude: []\n');
    expect(only(dir)).toEqual([3, 1, `overlay directory 'rootfs' not found in ${dir}; create it or fix the path`]);
  });

  it('a missing hook script and a kernel that is a directory are reported', () => {
    const dir = tmpAppliance('name: a\nversion: 1.0.0\nbase:\n  kernel: boot\nhooks:\n  post-build: [publish.sh]\n', { 'boot/x': '' });
    const r = loadSpec(dir);
    expect(r.problems.map((p) => [p.line, p.col, p.message])).toEqual([
      [4, 11, "kernel image 'boot' is a directory; expected a file"],
      [6, 16, `post-build script 'publish.sh' not found in ${dir}; create it or fix the path`],
    ]);
  });

  it('reports every problem of a file, in file order, not just the first', () => {
    const r = loadSpec(fixture('many-problems'));
    expect(r.problems.map((p) => `${p.line}:${p.col}: ${p.message}`)).toEqual([
      "1:7: bad name 'Hello_Web': use lower-case letters, digits and '-', starting with a letter or digit (like hello-web)",
      "3:1: unknown key 'servics' (did you mean 'services'?)",
      "5:15: bad size '1Q': expected a number and a unit, like 512M, 1G, 20G",
      '8:16: port must be between 1 and 65535, found 0',
      "10:14: check names service 'web', but no service has that name (there are no services)",
    ]);
    expect(r.problems.map((p) => p.path)).toEqual(['name', 'servics', 'disks.os.size', 'network.forward.0.guest', 'checks.0.service']);
  });

  it('unknown keys deep inside checks get a did-you-mean from that mapping', () => {
    const dir = tmpAppliance('name: a\nversion: 1.0.0\nnetwork: { forward: [{ guest: 80 }] }\nchecks:\n  - htpp: { port: 80 }\n  - http: { port: 80, staus: 200 }\n  - file: { path: /etc/passwd, mdoe: "0644" }\n');
    expect(loadSpec(dir).problems.map((p) => `${p.line}:${p.col}: ${p.message}`)).toEqual([
      "5:5: unknown key 'htpp' (did you mean 'http'?)",
      `5:5: a check needs one of ${CHECK_KINDS.join(', ')}; found only htpp`,
      "6:23: unknown key 'staus' (did you mean 'status'?)",
      "7:32: unknown key 'mdoe' (did you mean 'mode'?)",
    ]);
  });

  it('a wrong type in a union reports the form that was written', () => {
    const dir = tmpAppliance('name: a\nversion: 1.0.0\ndisks:\n  data: nothing\nchecks:\n  - mount: { path: /data, fstype: 4 }\n  - command: { run: "true", exit-code: 300 }\n  - port: 22\n    timeout: soon\n');
    expect(loadSpec(dir).problems.map((p) => `${p.line}:${p.col}: ${p.message}`)).toEqual([
      "4:9: expected a mapping { size, label, mount }, or 'none' for no data disk, found 'nothing'",
      "6:35: expected a filesystem type like ext4, found the number 4",
      '7:40: expected an exit status 0..255, found 300',
      "9:14: bad timeout 'soon': expected a duration like 10s, 500ms or 2m, or a number of seconds",
    ]);
  });

  it('refuses a 30 MB file from its size, before reading it', () => {
    const dir = tmpAppliance(Buffer.alloc(30 * 1024 * 1024, 'a: b\n'));
    expect(only(dir)).toEqual([1, 1, 'appliance.yaml is 30.0 MiB; a spec must be under 1 MiB (they are usually a few KB) — is this the right file?']);
  });

  it('refuses files under 1 MiB that would take the YAML parser seconds: many lines, deep nesting', () => {
    const manyLines = tmpAppliance('a: b\n'.repeat(20000));
    expect(only(manyLines)).toEqual([10001, 1, 'appliance.yaml has more than 10000 lines; a spec is usually under a hundred — is this the right file?']);
    const deep = tmpAppliance('name: ' + '['.repeat(5000) + '\n');
    expect(only(deep)).toEqual([1, 1007, 'appliance.yaml nests [ and { more than 1000 levels deep; is this the right file?']);
  });

  it('stops listing after 200 problems and says how many more there are', () => {
    const dir = tmpAppliance('name: a\nversion: 1.0.0\nnetwork:\n  forward:\n' + '    - { guest: 0 }\n'.repeat(300));
    const r = loadSpec(dir);
    expect(r.problems).toHaveLength(201);
    expect(r.problems[200].message).toBe('100 more problems not shown; fix the ones above first');
  });

  it('refuses binary data (a NUL byte) with its position', () => {
    const dir = tmpAppliance(Buffer.concat([Buffer.from('name: a\nver'), Buffer.from([0, 1, 2, 0xff]), Buffer.from('sion: 1\n')]));
    expect(only(dir)).toEqual([2, 4, 'appliance.yaml is not a text file: found a NUL byte at byte 11 (binary data, or UTF-16); save it as UTF-8 YAML text']);
  });

  it('refuses text that is not UTF-8 (Latin-1) with its position', () => {
    const dir = tmpAppliance(Buffer.from('name: a\nversion: 1.0.0\ndescription: caf\xe9\n', 'latin1'));
    expect(only(dir)).toEqual([3, 17, 'appliance.yaml is not UTF-8 text: invalid byte 0xe9 at byte 39; save it as UTF-8']);
  });

  it('says what to do when appliance.yaml is missing, misnamed, or the folder is not there', () => {
    const empty = tmpAppliance();
    expect(only(empty)).toEqual([1, 1, `no appliance.yaml in ${empty}; an appliance folder must hold one (see the sample hello-web appliance)`]);
    const misnamed = fixture('misnamed-spec');
    expect(only(misnamed)).toEqual([1, 1, `no appliance.yaml in ${misnamed}, but found appliance.yml; rename it to appliance.yaml`]);
    const gone = path.join(empty, 'nope');
    expect(only(gone)).toEqual([1, 1, `folder ${gone} not found; expected an appliance folder holding appliance.yaml`]);
    const dirAsSpec = tmpAppliance(undefined, { 'appliance.yaml/x': '' });
    expect(only(dirAsSpec)).toEqual([1, 1, 'appliance.yaml is a directory; expected a YAML file']);
  });

  it('accepts the path of appliance.yaml itself as the folder', () => {
    const r = loadSpec(path.join(fixture('minimal'), 'appliance.yaml'));
    expect(r.problems).toEqual([]);
    expect(r.dir).toBe(fixture('minimal'));
  });

  it('reads a spec with a UTF-8 byte order mark and CRLF line ends', () => {
    const dir = tmpAppliance('\ufeffname: a\r\nversion: 1.0.0\r\nvm: { cpus: 0 }\r\n');
    expect(only(dir)).toEqual([3, 13, 'cpus must be between 1 and 64, found 0']);
  });

  it('formats problems as PATH/appliance.yaml:LINE:COL: message', () => {
    const p = { file: '/x/app/appliance.yaml', line: 3, col: 1, message: 'unknown key' };
    expect(formatProblem(p)).toBe('/x/app/appliance.yaml:3:1: unknown key');
    expect(formatProblem(p, '/x')).toBe('app/appliance.yaml:3:1: unknown key');
    expect(formatProblem(p, '/elsewhere')).toBe('/x/app/appliance.yaml:3:1: unknown key');
  });
});
