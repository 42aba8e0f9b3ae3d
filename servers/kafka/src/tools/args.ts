import * as z from 'zod';

/** Argument schemas shared by the Kafka tools. */

export const topicName = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,249}$/, {
    error: "must be a Kafka topic name: 1-249 ASCII letters, digits, '.', '_' or '-', e.g. payments.transactions.v1",
  })
  .refine((name) => name !== '.' && name !== '..', { error: 'must not be "." or ".."' })
  .describe('Topic name, e.g. payments.transactions.v1.');

export const groupId = z.string().min(1).max(255).describe('Consumer group id, e.g. payments-ledger.');

export const configName = z
  .string()
  .regex(/^[a-z][a-z0-9.]*[a-z0-9]$/, { error: 'must be a topic config name such as retention.ms' });

export const configValues = z
  .record(configName, z.string().max(1024))
  .describe('Topic configs as strings, e.g. { "retention.ms": "604800000", "min.insync.replicas": "2" }.');

export const partitions = z.number().int().min(1).max(1000).describe('Number of partitions.');
export const replicationFactor = z
  .number()
  .int()
  .min(1)
  .max(10)
  .describe('Copies of each partition (at most the broker count).');
export const dryRun = z.boolean().default(false).describe('Only validate the change (on the server); apply nothing.');
