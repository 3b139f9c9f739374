import fs from 'node:fs';
import path from 'node:path';

/** Files that should not ship inside an appliance: a customer gets a copy of everything in the image. */
const RULES: { test: (rel: string, base: string) => boolean; why: string }[] = [
  { test: (_r, b) => /^\.(bash|ash|sh|zsh|python|mysql|psql|node_repl|lesshst)_?history$/.test(b) || b === '.lesshst', why: 'shell history' },
  { test: (_r, b) => /^id_(rsa|dsa|ecdsa|ed25519)(_sk)?$/.test(b), why: 'an SSH private key' },
  { test: (r) => r.split('/').includes('.git'), why: 'a .git folder' },
  { test: (_r, b) => b === '.env' || b.startsWith('.env.'), why: 'a .env file (often holds secrets)' },
  { test: (_r, b) => b === '.netrc' || b === '.pgpass' || b === 'credentials' || b === '.git-credentials', why: 'stored credentials' },
];

const KEY_MARKER = /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/;

export interface HygieneFinding {
  path: string;
  why: string;
}

/** Checks overlay files (relative paths) for secrets and leftovers; small files are also sniffed for private keys. */
export function scanHygiene(files: { rel: string; abs?: string; size?: number; isDir?: boolean; nlink?: number; inode?: string }[]): HygieneFinding[] {
  const found: HygieneFinding[] = [];
  const seenGit = new Set<string>();
  // A hard link has no path of its own: the only sign that `rootfs/x` is /etc/shadow is a link
  // count higher than the names the overlay itself gives that inode.
  const namesInOverlay = new Map<string, number>();
  for (const f of files) if (f.inode) namesInOverlay.set(f.inode, (namesInOverlay.get(f.inode) ?? 0) + 1);
  for (const f of files) {
    if (f.inode && f.nlink && f.nlink > (namesInOverlay.get(f.inode) ?? 0)) {
      found.push({ path: `/${f.rel}`, why: `a hard link to a file outside the overlay (${f.nlink} links, ${namesInOverlay.get(f.inode)} in the overlay), which may be any file of this machine` });
    }
    const base = path.posix.basename(f.rel);
    const rule = RULES.find((r) => r.test(f.rel, base));
    if (rule) {
      if (rule.why === 'a .git folder') {
        const top = f.rel.slice(0, f.rel.split('/').indexOf('.git') === -1 ? 0 : f.rel.indexOf('.git') + 4);
        if (seenGit.has(top)) continue;
        seenGit.add(top);
        found.push({ path: `/${top}`, why: rule.why });
      } else found.push({ path: `/${f.rel}`, why: rule.why });
      continue;
    }
    if (f.abs && !f.isDir && f.size !== undefined && f.size < 64 * 1024 && /\.(pem|key|p8|pk8)$|^[^.]+$/.test(base)) {
      try {
        if (KEY_MARKER.test(fs.readFileSync(f.abs, 'latin1'))) found.push({ path: `/${f.rel}`, why: 'a private key' });
      } catch {
        // Unreadable files are reported by the rootfs stage with a clearer message.
      }
    }
  }
  return found;
}

export function describeFinding(f: HygieneFinding): string {
  return `${f.path} looks like ${f.why}; it would ship to every customer. Remove it or add it to rootfs.exclude.`;
}
