import fs from 'node:fs';
import path from 'node:path';

/**
 * The repository's (or packaged app's) resources/ folder. Works from source (src-main/util)
 * and from the bundle (out/main), both two levels below the root; a packaged Electron app
 * sets YOKE_RESOURCES to its extraResources folder.
 */
export function resourcesDir(): string {
  if (process.env.YOKE_RESOURCES) return process.env.YOKE_RESOURCES;
  for (const up of ['../..', '../../..']) {
    const dir = path.resolve(__dirname, up, 'resources');
    if (fs.existsSync(path.join(dir, 'sample'))) return dir;
  }
  return path.resolve(__dirname, '../../resources');
}

export function sampleApplianceDir(): string {
  return path.join(resourcesDir(), 'sample', 'hello-web');
}

/** Where the built renderer lives (out/renderer), for `yoke serve`. */
export function rendererDir(): string {
  if (process.env.YOKE_RENDERER_DIR) return process.env.YOKE_RENDERER_DIR;
  // This code may be bundled into out/main/cli.js or a shared out/main/chunks/*.js, or run from source.
  for (const candidate of ['../renderer', '../../renderer', '../../out/renderer']) {
    const dir = path.resolve(__dirname, candidate);
    if (fs.existsSync(path.join(dir, 'index.html'))) return dir;
  }
  return path.resolve(__dirname, '../renderer');
}
