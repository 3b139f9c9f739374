// Each appliance's update-signing key: Ed25519, made on the appliance's first build and kept in
// ${home}/keys/<appliance>.ed25519 (PKCS#8 PEM, mode 0600). Its public half goes into every image
// of that appliance, so the appliance accepts packages signed by it and by nothing else.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface ApplianceKey {
  file: string;
  privateKey: crypto.KeyObject;
  /** The raw 32-byte public key, as the guest's verifier reads it. */
  publicRaw: Buffer;
}

export function keyFile(home: string, appliance: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(appliance)) throw new Error(`"${appliance}" is not an appliance name; cannot name its key file.`);
  return path.join(home, 'keys', `${appliance}.ed25519`);
}

export function publicRawOf(key: crypto.KeyObject): Buffer {
  // An Ed25519 SubjectPublicKeyInfo is a fixed 12-byte header followed by the 32-byte key.
  return crypto.createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32);
}

function read(file: string): ApplianceKey {
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey(fs.readFileSync(file));
  } catch (e) {
    throw new Error(`The update key ${file} is not readable (${(e as Error).message}). Restore it from a backup; a new key would make every appliance already shipped refuse new packages.`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`The update key ${file} is a ${privateKey.asymmetricKeyType} key, not Ed25519.`);
  return { file, privateKey, publicRaw: publicRawOf(privateKey) };
}

/** The appliance's key, made on first use. Creation is exclusive, so two builds never make two keys. */
export function applianceKey(home: string, appliance: string): ApplianceKey {
  const file = keyFile(home, appliance);
  if (fs.existsSync(file)) return read(file);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' });
  try {
    fs.writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return read(file);
}
