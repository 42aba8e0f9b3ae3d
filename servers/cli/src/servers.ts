import type { ServerModule } from '@idp-mcp/core';
import { githubModule } from '@idp-mcp/github';
import { platformModule } from '@idp-mcp/platform';

/** Every server the idp-mcp command can start, in --help order: the aggregator first. */
export const servers: ServerModule[] = [platformModule, githubModule];
