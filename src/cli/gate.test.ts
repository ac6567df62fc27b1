import { describe, expect, it } from 'vitest';
import { formatInventory } from './gate.ts';

describe('the gate console: route inventory', () => {
  it('says which lists were read, which were not, and which apps register routes no contract checks', () => {
    const text = formatInventory([
      { app: 'ryla-flux', state: 'registered', routes: 12, latencyMs: 4, uncatalogued: ['POST /workflow', 'GET /diagnostics/nodes'] },
      { app: 'ryla-wan26', state: 'registered', routes: 6, latencyMs: 3 },
      { app: 'ryla-lora', state: 'not-deployed', routes: 0, latencyMs: 2, detail: 'modal-http: invalid function call' },
    ]);
    expect(text.split('\n')).toEqual([
      'route inventory: read 2 of 3 warmed apps; not read, calls decided: ryla-lora (not-deployed)',
      '  ! ryla-flux registers 2 route(s) no contract checks: POST /workflow, GET /diagnostics/nodes',
    ]);
  });
});
