/**
 * The fleet's apps and their platform facts: the cold start of each (docs/fleet.md §2.7: documented;
 * 2–5 min generic where nothing specific exists) and whether it is deployed by default — the 8 web
 * endpoints the workspace limit allows (ENDPOINT-APP-MAPPING.md live set + wan22-i2v); ryla-qwen-edit
 * and ryla-lora are "unknown" in docs/fleet.md §1 and ryla-wan2 is removed. The app names are this
 * table's keys.
 */
const APPS = {
  'ryla-flux': { coldStartSec: 60, deployed: true },
  'ryla-instantid': { coldStartSec: 120, deployed: true },
  'ryla-qwen-image': { coldStartSec: 60, deployed: true },
  'ryla-qwen-edit': { coldStartSec: 60, deployed: false },
  'ryla-z-image': { coldStartSec: 60, deployed: true },
  'ryla-wan26': { coldStartSec: 60, deployed: true },
  'ryla-wan22-i2v': { coldStartSec: 150, deployed: true },
  'ryla-seedvr2': { coldStartSec: 120, deployed: true },
  'ryla-lora': { coldStartSec: 60, deployed: false },
  'ryla-wan2': { coldStartSec: 120, deployed: false },
  'ryla-comfyui': { coldStartSec: 120, deployed: true },
} as const satisfies Record<string, { coldStartSec: number; deployed: boolean }>;

export type AppName = keyof typeof APPS;

const APP_NAMES = Object.keys(APPS) as AppName[];

function perApp<T>(pick: (facts: (typeof APPS)[AppName]) => T): Record<AppName, T> {
  return Object.fromEntries(APP_NAMES.map((name) => [name, pick(APPS[name])])) as Record<AppName, T>;
}

export const COLD_START_SEC: Readonly<Record<AppName, number>> = perApp((a) => a.coldStartSec);
export const DEFAULT_DEPLOYED: Readonly<Record<AppName, boolean>> = perApp((a) => a.deployed);
