// Check results as JUnit XML, the format CI systems (GitLab, Jenkins, GitHub reporters) read.
import type { CheckResult } from '../api/contract';

/** XML 1.0 cannot carry most control characters at all, even escaped; console output has them. */
function xmlText(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function secs(ms: number): string {
  return (ms / 1000).toFixed(3);
}

export interface JunitOptions {
  /** ISO time the run started. */
  timestamp?: string;
  hostname?: string;
}

export function junitXml(suite: string, results: CheckResult[], opts: JunitOptions = {}): string {
  const failures = results.filter((r) => r.status === 'failed').length;
  // Checks run concurrently: the suite took as long as its slowest check, not their sum.
  const wall = results.reduce((t, r) => Math.max(t, r.durationMs), 0);
  const attrs = [
    `name="${xmlText(suite)}"`,
    `tests="${results.length}"`,
    `failures="${failures}"`,
    'errors="0"',
    'skipped="0"',
    `time="${secs(wall)}"`,
    ...(opts.timestamp ? [`timestamp="${xmlText(opts.timestamp)}"`] : []),
    ...(opts.hostname ? [`hostname="${xmlText(opts.hostname)}"`] : []),
  ];
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="yoke" tests="${results.length}" failures="${failures}" time="${secs(wall)}">`, `  <testsuite ${attrs.join(' ')}>`];
  for (const r of results) {
    const classname = `${suite}.${r.phase ? `${r.phase}.` : ''}${r.kind}`;
    const open = `    <testcase classname="${xmlText(classname)}" name="${xmlText(r.name)}" time="${secs(r.durationMs)}"`;
    if (r.status === 'passed') {
      lines.push(`${open}>`, `      <system-out>${xmlText(r.message)}</system-out>`, '    </testcase>');
    } else {
      const first = r.message.split('\n')[0];
      lines.push(`${open}>`, `      <failure type="${xmlText(r.kind)}" message="${xmlText(first)}">${xmlText(r.message)}</failure>`, '    </testcase>');
    }
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
