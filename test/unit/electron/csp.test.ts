import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, HEADER_CONTENT_SECURITY_POLICY } from '../../../src-main/web/csp';

const html = fs.readFileSync(path.resolve(__dirname, '../../../src-renderer/index.html'), 'utf8');

function metaCsp(source: string): string {
  const m = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(source);
  if (!m) throw new Error('index.html has no Content-Security-Policy meta tag');
  return m[1].replace(/\s+/g, ' ').trim();
}

describe('the UI page content security policy', () => {
  const csp = metaCsp(html);

  it('allows no eval and no inline script or style', () => {
    expect(csp).not.toMatch(/unsafe-eval|unsafe-inline|unsafe-hashes|wasm-unsafe-eval/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/style-src 'self'(;|$)/);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'none'");
  });

  it('is the same policy `yoke serve` sends as a header, which also forbids framing', () => {
    expect(csp).toBe(CONTENT_SECURITY_POLICY);
    expect(HEADER_CONTENT_SECURITY_POLICY).toBe(`${csp}; frame-ancestors 'none'`);
  });

  it('has no inline script in the page', () => {
    const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) {
      expect(s[0]).toMatch(/\bsrc=/);
      expect(s[1].trim()).toBe('');
    }
  });
});
