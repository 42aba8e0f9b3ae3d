export { agentCard, extendedCard, JSONRPC_PATH, OPERATE_SKILL, REST_PATH, SELF_SERVICE_SKILLS } from './card.ts';
export { CallerUser, parseApproval, parseRequest, SupervisorExecutor } from './executor.ts';
export { type Platform, startPlatform } from './platform.ts';
export { AGENT_CARD_PATH, type RunningSupervisor, type SupervisorOptions, startSupervisor } from './server.ts';
export { DurableTaskStore } from './tasks.ts';
