import type { ServerModule } from '@idp-mcp/core';
import { INTEGRATIONS, platformModule } from '@idp-mcp/platform';

/** Every server the idp-mcp command can start, in --help order: the aggregator, then what it mounts. */
export const servers: ServerModule[] = [platformModule, ...INTEGRATIONS];
