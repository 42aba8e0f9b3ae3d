/**
 * The fakes one sandbox shares. Servers started together (the platform's integrations) get the same
 * instance of each, so what one creates another sees: the repository GitHub's fake holds is the one
 * Backstage's fake reads a catalog-info.yaml from. The world closes them when it closes.
 */
export interface SandboxWorld {
  /** The fake registered under `name`, started by `start` the first time anyone asks. */
  shared<T extends { close(): Promise<void> }>(name: string, start: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function createSandboxWorld(): SandboxWorld {
  const started = new Map<string, Promise<{ close(): Promise<void> }>>();
  return {
    shared<T extends { close(): Promise<void> }>(name: string, start: () => Promise<T>): Promise<T> {
      let value = started.get(name);
      if (!value) {
        value = start();
        started.set(name, value);
      }
      return value as Promise<T>;
    },
    async close() {
      const values = await Promise.allSettled(started.values());
      started.clear();
      await Promise.all(values.map((value) => (value.status === 'fulfilled' ? value.value.close() : undefined)));
    },
  };
}
