import { describe, expect, it } from 'vitest';
import { junitXml } from '../../../src-main/checks/junit';

describe('junitXml', () => {
  const xml = junitXml(
    'hello-web 1.0.0',
    [
      { name: 'web runs', kind: 'service', status: 'passed', message: 'service web runs as pid 7', durationMs: 120 },
      { name: 'page <h1> & "quotes"', kind: 'http', status: 'failed', message: 'answered 500\nLast console lines:\n\x1b[31moops\x07', durationMs: 2500 },
      { name: 'seed', kind: 'command', status: 'passed', message: 'ok', durationMs: 10, phase: 'upgrade' },
    ],
    { timestamp: '2024-01-01T00:00:00.000Z' },
  );

  it('counts tests and failures, and times the suite by its slowest check', () => {
    expect(xml).toContain('<testsuites name="yoke" tests="3" failures="1" time="2.500">');
    expect(xml).toContain('<testsuite name="hello-web 1.0.0" tests="3" failures="1" errors="0" skipped="0" time="2.500" timestamp="2024-01-01T00:00:00.000Z">');
  });

  it('writes one testcase per check, the failure with its first line as message', () => {
    expect(xml).toContain('<testcase classname="hello-web 1.0.0.service" name="web runs" time="0.120">');
    expect(xml).toContain('<failure type="http" message="answered 500">answered 500\nLast console lines:\n[31moops</failure>');
    expect(xml).toContain('classname="hello-web 1.0.0.upgrade.command"');
  });

  it('escapes markup and drops characters XML cannot hold', () => {
    expect(xml).toContain('name="page &lt;h1&gt; &amp; &quot;quotes&quot;"');
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
  });

  it('is well-formed enough for a strict parser: every tag closes', () => {
    const opens = (xml.match(/<(testsuites|testsuite|testcase|failure|system-out)[ >]/g) ?? []).length;
    const closes = (xml.match(/<\/(testsuites|testsuite|testcase|failure|system-out)>/g) ?? []).length;
    expect(opens).toBe(closes);
  });
});
