import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type A2aTaskStore, openTaskStore, type TaskRecord } from '../src/index.ts';
import { type Backend, postgresBackend, sqliteBackend } from './backends.ts';

const alice = { tenant: '', owner: 'alice-sub' };
const bob = { tenant: '', owner: 'bob-sub' };

function record(id: string, state: string, statusAt: number, extra: Partial<TaskRecord> = {}): TaskRecord {
  return { id, contextId: 'ctx-1', state, statusAt, task: { id, state, history: [] }, ...extra };
}

describe.each([sqliteBackend(), postgresBackend()])('A2A tasks on $name', (backend: Backend) => {
  let tasks: A2aTaskStore;
  beforeAll(async () => {
    await backend.setup();
    const target = await backend.fresh();
    tasks = await openTaskStore(target.options);
  });
  afterAll(async () => {
    await tasks?.close();
    await backend.teardown();
  });

  it('keeps each owner to their own tasks, replaces on save and keeps the first message id', async () => {
    await tasks.save(alice, record('t1', 'TASK_STATE_SUBMITTED', 1000, { messageId: 'm1' }));
    await tasks.save(alice, record('t1', 'TASK_STATE_INPUT_REQUIRED', 2000));
    expect(await tasks.load(alice, 't1')).toEqual({ id: 't1', state: 'TASK_STATE_INPUT_REQUIRED', history: [] });
    expect(await tasks.load(bob, 't1')).toBeUndefined();
    expect(await tasks.findByMessageId(alice, 'm1')).toMatchObject({ id: 't1' });
    expect(await tasks.findByMessageId(bob, 'm1')).toBeUndefined();
  });

  it('lists newest status first, filters, pages with a cursor and counts every match', async () => {
    for (let n = 0; n < 5; n++) {
      await tasks.save(bob, record(`b${n}`, n % 2 ? 'TASK_STATE_COMPLETED' : 'TASK_STATE_WORKING', 10_000 + n));
    }
    const first = await tasks.list(bob, { limit: 2 });
    expect(first.tasks.map((task) => (task as { id: string }).id)).toEqual(['b4', 'b3']);
    expect(first.total).toBe(5);
    const second = await tasks.list(bob, { limit: 2, cursor: first.nextCursor! });
    expect(second.tasks.map((task) => (task as { id: string }).id)).toEqual(['b2', 'b1']);
    const done = await tasks.list(bob, { state: 'TASK_STATE_COMPLETED' });
    expect(done.tasks.map((task) => (task as { id: string }).id)).toEqual(['b3', 'b1']);
    expect(done.nextCursor).toBeUndefined();
    expect((await tasks.list(bob, { statusAfter: 10_002 })).total).toBe(2);
    expect((await tasks.inState(['TASK_STATE_WORKING'])).map((entry) => entry.scope.owner)).toEqual([
      'bob-sub',
      'bob-sub',
      'bob-sub',
    ]);
  });

  it('stores push configs per task and deletes one or all', async () => {
    await tasks.savePushConfig(alice, 't1', 'c1', {
      config: { url: 'https://hooks.example.com/1' },
      wireVersion: '1.0',
    });
    await tasks.savePushConfig(alice, 't1', 'c2', {
      config: { url: 'https://hooks.example.com/2' },
      wireVersion: '1.0',
    });
    expect((await tasks.loadPushConfigs(alice, 't1')).map((stored) => stored.config)).toEqual([
      { url: 'https://hooks.example.com/1' },
      { url: 'https://hooks.example.com/2' },
    ]);
    expect(await tasks.loadPushConfigs(bob, 't1')).toEqual([]);
    await tasks.deletePushConfig(alice, 't1', 'c1');
    expect(await tasks.loadPushConfigs(alice, 't1')).toHaveLength(1);
    await tasks.deletePushConfig(alice, 't1');
    expect(await tasks.loadPushConfigs(alice, 't1')).toEqual([]);
  });
});
