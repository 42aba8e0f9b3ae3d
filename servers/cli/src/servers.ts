import type { ServerModule } from '@idp-mcp/core';
import { githubModule } from '@idp-mcp/github';

/** Every server the idp-mcp command can start, in --help order. */
export const servers: ServerModule[] = [githubModule];
