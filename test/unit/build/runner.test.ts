import { describe, expect, it } from 'vitest';
import { BuildError, runStages, type Stage } from '../../../src-main/build/runner';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((res, rej) => {
    const t = setTimeout(res, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      rej(new Error('stopped'));
    });
  });

describe('running build stages', () => {
  it('runs stages that need nothing of each other at the same time, and reports them in list order', async () => {
    const log: string[] = [];
    const stage = (name: string, after: string[], ms: number): Stage<object> => ({
      name,
      after,
      async run() {
        log.push(`start ${name}`);
        await sleep(ms);
        log.push(`end ${name}`);
        return true;
      },
    });
    const reports = await runStages([stage('a', [], 5), stage('slow', ['a'], 60), stage('fast', ['a'], 5), stage('last', ['slow', 'fast'], 1)], {}, {});
    expect(reports.map((r) => r.name)).toEqual(['a', 'slow', 'fast', 'last']);
    expect(log.indexOf('start fast')).toBeLessThan(log.indexOf('end slow'));
    expect(log.indexOf('start last')).toBeGreaterThan(log.indexOf('end slow'));
  });

  it('reports the stage that failed, stops the others, and cleans up after every stage that started', async () => {
    const stop = new AbortController();
    const cleaned: string[] = [];
    const stages: Stage<object>[] = [
      { name: 'inputs', after: [], run: async () => true, cleanup: () => void cleaned.push('inputs') },
      {
        name: 'long',
        after: ['inputs'],
        run: async () => {
          await sleep(5000, stop.signal);
          return true;
        },
        cleanup: () => void cleaned.push('long'),
      },
      {
        name: 'broken',
        after: ['inputs'],
        run: async () => {
          await sleep(10);
          throw new Error('mke2fs: No space left on device');
        },
        cleanup: () => void cleaned.push('broken'),
      },
      { name: 'after', after: ['long', 'broken'], run: async () => true },
    ];
    const states: Record<string, string> = {};
    const err = await runStages(stages, {}, { stop, onStage: (s) => void (states[s.name] = s.status) }).catch((e) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as BuildError).stage).toBe('broken');
    expect(states).toEqual({ inputs: 'ok', long: 'cancelled', broken: 'failed' });
    expect(cleaned.sort()).toEqual(['broken', 'inputs', 'long']);
  });
});
