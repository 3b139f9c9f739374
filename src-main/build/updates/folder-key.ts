// The update key as it travels with the appliance folder: its public half is `appliance.pub`
// beside appliance.yaml (committed with it, so every machine building the folder puts the same
// key into the image and makes the same bytes); the private half stays out of the folder — in
// the data directory (keys/<name>.ed25519), or given by YOKE_UPDATE_KEY (PEM text) or
// YOKE_UPDATE_KEY_FILE (a path) for CI.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { applianceKey, keyFile, publicRawOf } from './keys';

export const PUBLIC_KEY_FILE = 'appliance.pub';

export interface FolderKey {
  publicRaw: Buffer;
  /** Absent when this machine lacks the private half: the image is the same, packages are not signed. */
  privateKey?: crypto.KeyObject;
  /** Said once per build when packages cannot be signed here. */
  notice?: string;
  /** Said once per build when appliance.pub could not be written (the build goes on, signed). */
  warning?: string;
}

function privateFromEnv(env: NodeJS.ProcessEnv): crypto.KeyObject | null {
  const pem = env.YOKE_UPDATE_KEY || (env.YOKE_UPDATE_KEY_FILE ? readOrThrow(env.YOKE_UPDATE_KEY_FILE) : '');
  if (!pem) return null;
  let k: crypto.KeyObject;
  try {
    k = crypto.createPrivateKey(pem);
  } catch (e) {
    throw new Error(`The update key given by ${env.YOKE_UPDATE_KEY ? 'YOKE_UPDATE_KEY' : env.YOKE_UPDATE_KEY_FILE} is not a private key (${(e as Error).message}).`);
  }
  if (k.asymmetricKeyType !== 'ed25519') throw new Error(`The update key given by ${env.YOKE_UPDATE_KEY ? 'YOKE_UPDATE_KEY' : env.YOKE_UPDATE_KEY_FILE} is ${k.asymmetricKeyType}, not Ed25519.`);
  return k;
}

function readOrThrow(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`YOKE_UPDATE_KEY_FILE names ${file}, which cannot be read (${(e as NodeJS.ErrnoException).code}).`);
  }
}

export function publicPem(raw: crypto.KeyObject): string {
  return crypto.createPublicKey(raw).export({ format: 'pem', type: 'spki' }).toString();
}

/**
 * The key for this folder's build. With appliance.pub: the private half is used only when it
 * matches (never a new key — shipped appliances would refuse its packages). Without: the data
 * directory's key (made on first use) or the environment's, and appliance.pub is written.
 */
export function folderKey(home: string, appliance: string, dir: string, env: NodeJS.ProcessEnv = process.env): FolderKey {
  const pubFile = path.join(dir, PUBLIC_KEY_FILE);
  const fromEnv = privateFromEnv(env);
  if (fs.existsSync(pubFile)) {
    let publicRaw: Buffer;
    try {
      const pub = crypto.createPublicKey(fs.readFileSync(pubFile, 'utf8'));
      if (pub.asymmetricKeyType !== 'ed25519') throw new Error(`a ${pub.asymmetricKeyType} key, not Ed25519`);
      publicRaw = pub.export({ format: 'der', type: 'spki' }).subarray(-32);
    } catch (e) {
      throw new Error(`${pubFile} is not an Ed25519 public key (${(e as Error).message}). Restore it from version control.`);
    }
    const candidates = [fromEnv, fs.existsSync(keyFile(home, appliance)) ? applianceKey(home, appliance).privateKey : null];
    const match = candidates.find((k) => k && publicRawOf(k).equals(publicRaw));
    if (match) return { publicRaw, privateKey: match };
    return {
      publicRaw,
      notice: `${pubFile} names an update key whose private half is not on this machine: the OS disk is the same, but its update packages cannot be signed here. Give the key with YOKE_UPDATE_KEY_FILE (or put it at ${keyFile(home, appliance)}) to sign them.`,
    };
  }
  const privateKey = fromEnv ?? applianceKey(home, appliance).privateKey;
  const tmp = `${pubFile}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, publicPem(privateKey));
    fs.renameSync(tmp, pubFile);
  } catch (e) {
    // A read-only folder (the app's bundled sample, a mounted share) still builds, signed.
    fs.rmSync(tmp, { force: true });
    return { publicRaw: publicRawOf(privateKey), privateKey, warning: `Could not write ${pubFile} (${(e as NodeJS.ErrnoException).code}): other machines building this folder will not know its update key.` };
  }
  return { publicRaw: publicRawOf(privateKey), privateKey };
}
