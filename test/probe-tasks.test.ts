// probeTasks probes a task on the fit workers while the main thread extracts the next one; the
// numbers must be those of probing each task on its own.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Encoder } from '../src/encoder/encoder.js';
import { embedTask } from '../src/study/features.js';
import { probeTasks } from '../src/study/probe-tasks.js';
import { probeLayers } from '../src/study/protocol.js';
import { loadTasks } from '../src/tasks/registry.js';
import { subsampleTask } from '../src/tasks/subsample.js';
import { FIXTURES, tempDir } from './helpers.js';

const dir = tempDir('layerwise-probe-tasks-');
after(() => rmSync(dir, { recursive: true, force: true }));

test('probeTasks overlaps probing with the next extraction and gives the rows of one task at a time', { timeout: 300_000 }, async () => {
  const encoder = await Encoder.load(join(FIXTURES, 'tiny-roberta'), { layerwiseCache: join(dir, 'cache') });
  try {
    const tasks = loadTasks(['upos', 'sentlen', 'tense']).map((t) => subsampleTask(t, 120, 60));
    const settings = { seeds: 2, control: true, mdl: true, resamples: 200, workers: 2 };
    const events: string[] = [];
    const together = await probeTasks(encoder, tasks, {
      ...settings,
      onProgress: (stage) => ({ done, total, label }) => events.push(`${stage.startsWith('extract') ? stage : `probe ${label!.split(' ')[0]}`} ${done}/${total}`),
    });
    // The second task's extraction began before the first task's last fit ended.
    const firstExtraction = events.findIndex((e) => e.startsWith('extract sentlen'));
    const lastFit = events.findLastIndex((e) => e.startsWith('probe upos'));
    assert.ok(firstExtraction >= 0 && firstExtraction < lastFit, events.join('\n'));

    assert.deepEqual(together.summaries.map((s) => s.task), ['upos', 'sentlen', 'tense']);
    for (const [k, task] of tasks.entries()) {
      const alone = await probeLayers(await embedTask(encoder, task), task, settings);
      assert.deepEqual(together.rows.filter((r) => r.task === task.name), alone.rows, task.name);
      assert.deepEqual(together.summaries[k], alone.summary, task.name);
    }
    assert.ok(together.seconds.extract > 0 && together.seconds.probe > 0);
  } finally {
    await encoder.dispose();
  }
});

test('probeTasks stops its fits and rejects when the work beside the last fits fails, or its signal is aborted', { timeout: 300_000 }, async () => {
  const encoder = await Encoder.load(join(FIXTURES, 'tiny-roberta'), { layerwiseCache: join(dir, 'cache') });
  try {
    const tasks = loadTasks(['sentlen', 'tense']).map((t) => subsampleTask(t, 120, 60));
    const settings = { seeds: 2, control: true, mdl: true, workers: 2 };
    // The lab's case: its figures fail while the last task's 26 fits are queued or running.
    const finished: string[] = [];
    const failing = probeTasks(encoder, tasks, {
      ...settings,
      onProgress: (stage) => ({ done, total, label }) => stage === 'probe' && done === total && finished.push(label!.split(' ')[0]),
      duringLastFits: async () => {
        throw new Error('a figure failed');
      },
    });
    await assert.rejects(failing, /a figure failed/);
    assert.deepEqual(finished, ['sentlen']); // tense's fits were stopped, not waited for

    const stop = new AbortController();
    await assert.rejects(probeTasks(encoder, tasks, { ...settings, signal: stop.signal, duringLastFits: async () => stop.abort() }), /the fit workers (were|are) closed/);
    await assert.rejects(probeTasks(encoder, tasks, { ...settings, signal: stop.signal }), { name: 'AbortError' });
  } finally {
    await encoder.dispose();
  }
});
