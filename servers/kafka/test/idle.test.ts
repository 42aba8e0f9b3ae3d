import { connectClient } from '@idp-mcp/testing/mcp';
import { expect, it } from 'vitest';
import { kafkaModule } from '../src/index.ts';

/**
 * After a Kafka call the client goes quiet: kafkajs 2.2.4's request queue rescheduled its pending-request check
 * forever with a negative delay once a request had waited (Node 24: TimeoutNegativeWarning, then a 1 ms timer that
 * keeps an idle process busy). patches/kafkajs@2.2.4.patch schedules it only while a request waits.
 */
it('leaves no negative or 1 ms timer running after a call', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  const sandbox = await connectClient(kafkaModule, { args: ['--sandbox'], env: { KAFKA_WRITE_MODE: 'direct' } });
  try {
    const result = await sandbox.client.callTool({ name: 'list_topics', arguments: {} });
    expect(result.isError).toBeFalsy();
    const fired = countTimeouts();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // A live 1 ms timer fires about 300 times here; a quiet client's few periodic timers, a handful.
    expect(fired.stop()).toBeLessThan(30);
    expect(warnings.filter((warning) => warning.startsWith('TimeoutNegativeWarning'))).toEqual([]);
  } finally {
    await sandbox.close();
    process.off('warning', onWarning);
  }
});

/** Counts the setTimeout calls made with a delay of at most 1 ms until stopped. */
function countTimeouts(): { stop(): number } {
  const original = globalThis.setTimeout;
  let count = 0;
  globalThis.setTimeout = ((handler: () => void, delay?: number, ...args: unknown[]) => {
    if (delay === undefined || delay <= 1) count++;
    return original(handler, delay, ...args);
  }) as typeof setTimeout;
  return {
    stop() {
      globalThis.setTimeout = original;
      return count;
    },
  };
}
