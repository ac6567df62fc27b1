/**
 * The endpoint catalog as the dashboards and rules read it: one module, so the generators depend on
 * the catalog in one place.
 */
export { CATALOG as FLEET, latencyBudgetSec } from '../../src/catalog/index.ts';
export type { EndpointEntry as FleetEntry } from '../../src/catalog/index.ts';
