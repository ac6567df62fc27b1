/** The fleet emulator: a faithful double of the Modal-hosted fleet described in docs/fleet.md. */
export { createEmulator, type CallRecord, type Emulator, type EmulatorOptions, type EmulatorState, type EmulatorStateSnapshot } from './server.ts';
export { FAULTS, FAULT_HEADER, FAULT_NAMES, type FaultName, type FaultRule } from './faults.ts';
export { DRIFT_FAULTS, parseDriftSpec, type DriftFaultName, type DriftRule } from './drift.ts';
export { buildFleet, COLD_START_SEC, DEFAULT_DEPLOYED, DEFAULT_TRAINED_LORAS, PHANTOM_ROUTES, QWEN_ASPECT_RATIOS, seedvr2Dims, wanFrames, type AppName, type AppSpec, type RouteSpec } from './fleet/index.ts';
