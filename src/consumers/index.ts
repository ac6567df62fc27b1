/**
 * Consumer contracts: what the fleet's callers send and read, checked against the catalog
 * (static) and the deployed fleet (live), plus the route inventory from each app's /openapi.json.
 */
export * from './contract.ts';
export * from './findings.ts';
export { verifyStatic, verifyConsumer, verifyCall } from './static.ts';
export { verifyLive, generationCostUsd, cheapCases, LiveBudgetError, type LiveOptions } from './live.ts';
export { readInventory, compareInventory, inventoryApps, type AppInventory, type InventoryFinding } from './inventory.ts';
export { callReport, consumerReport, findingsTable, summarize, CONSUMER_CHECK, type VerifyLevel } from './report.ts';
