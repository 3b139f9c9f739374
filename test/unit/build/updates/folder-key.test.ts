// appliance.pub: written by the first build beside appliance.yaml; another data directory with
// the folder but not the private half makes the same image key and cannot sign; the private half
// given through the environment (CI) signs.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { folderKey } from '../../../../src-main/build/updates/folder-key';
import { keyFile } from '../../../../src-main/build/updates/keys';

const made: string[] = [];
const tmp = (p: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), p));
  made.push(d);
  return d;
};

describe('the folder key (appliance.pub)', () => {
  afterAll(() => {
    for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  it('writes the public half beside appliance.yaml, never the private one', () => {
    const home = tmp('yoke-fk-home-');
    const dir = tmp('yoke-fk-app-');
    const k = folderKey(home, 'hello-web', dir, {});
    const pub = fs.readFileSync(path.join(dir, 'appliance.pub'), 'utf8');
    expect(pub).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(fs.readdirSync(dir)).toEqual(['appliance.pub']);
    expect(k.privateKey).toBeDefined();
    expect(fs.existsSync(keyFile(home, 'hello-web'))).toBe(true);
  });

  it('in another data directory: the same public key, no private one, and a notice saying what to do', () => {
    const dir = tmp('yoke-fk-app-');
    const a = folderKey(tmp('yoke-fk-home-'), 'hello-web', dir, {});
    const otherHome = tmp('yoke-fk-home-');
    const b = folderKey(otherHome, 'hello-web', dir, {});
    expect(b.publicRaw.equals(a.publicRaw)).toBe(true);
    expect(b.privateKey).toBeUndefined();
    expect(b.notice).toMatch(/update packages cannot be signed here.*YOKE_UPDATE_KEY_FILE/);
    // No key was made there: a new key would make shipped appliances refuse its packages.
    expect(fs.existsSync(keyFile(otherHome, 'hello-web'))).toBe(false);
  });

  it('signs with the private half given by YOKE_UPDATE_KEY_FILE, and refuses a file that is no key', () => {
    const homeA = tmp('yoke-fk-home-');
    const dir = tmp('yoke-fk-app-');
    const a = folderKey(homeA, 'hello-web', dir, {});
    const b = folderKey(tmp('yoke-fk-home-'), 'hello-web', dir, { YOKE_UPDATE_KEY_FILE: keyFile(homeA, 'hello-web') });
    expect(b.privateKey).toBeDefined();
    const sig = crypto.sign(null, Buffer.from('x'), b.privateKey!);
    expect(crypto.verify(null, Buffer.from('x'), crypto.createPublicKey(fs.readFileSync(path.join(dir, 'appliance.pub'), 'utf8')), sig)).toBe(true);
    expect(a.publicRaw.length).toBe(32);
    const junk = path.join(tmp('yoke-fk-'), 'k');
    fs.writeFileSync(junk, 'nope');
    expect(() => folderKey(tmp('yoke-fk-home-'), 'hello-web', dir, { YOKE_UPDATE_KEY_FILE: junk })).toThrow(/YOKE_UPDATE_KEY_FILE|not a private key/);
  });

  it('says so when appliance.pub is not a public key', () => {
    const dir = tmp('yoke-fk-app-');
    fs.writeFileSync(path.join(dir, 'appliance.pub'), 'garbage');
    expect(() => folderKey(tmp('yoke-fk-home-'), 'hello-web', dir, {})).toThrow(/appliance.pub is not an Ed25519 public key.*Restore it/);
  });
});

describe('the folder key in a read-only folder', () => {
  it.runIf(process.getuid?.() !== 0)('still signs, and says appliance.pub could not be written', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-fk-ro-'));
    fs.chmodSync(dir, 0o555);
    try {
      const k = folderKey(fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-fk-rohome-')), 'hello-web', dir, {});
      expect(k.privateKey).toBeDefined();
      expect(k.warning).toMatch(/Could not write .*appliance\.pub \(EACCES\)/);
    } finally {
      fs.chmodSync(dir, 0o755);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
