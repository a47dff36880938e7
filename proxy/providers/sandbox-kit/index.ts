/**
 * The sandbox kit: the mechanics the provider simulators share (state file, fault queue and its
 * back-office routes, JSON bodies, the shape of the day-bill discrepancy knobs, held and dropped
 * connections, gateway pages, the apps and their mount, a PHP backend's request parameters, random
 * ids, the payment code convention). Protocol logic, answers
 * and the other admin routes stay in each simulator.
 *
 * Nothing here knows a provider's protocol, so a simulator using it still shares no code with the
 * client it tests (the simulators must not import a client's codec or decoders).
 */
export { connectionFaults, sleep, type ConnectionFaults } from './connection-faults.ts';
export { FaultQueue, type QueuedFault } from './fault-queue.ts';
export { addFaultRoutes, type CodedFault, type FaultRoutes } from './fault-routes.ts';
export { cutInHalf, gatewayPage } from './gateway-pages.ts';
export { discrepancyUsage, nextChinaMidnight, parseDiscrepancies, type DiscrepancyRequest, type DiscrepancyShape } from './discrepancies.ts';
export { isJsonObject, readJsonObject } from './json-body.ts';
export { publicBase, sandboxAdmin, sandboxApp, sandboxMount, type SandboxMount } from './sandbox-apps.ts';
export { phpRequestParams, type PhpBodies } from './php-request.ts';
export { alnum, digits } from './random-text.ts';
export { stateFile, type StateFile } from './state-file.ts';
export { SANDBOX_WALLET_CODES } from './wallet-codes.ts';
