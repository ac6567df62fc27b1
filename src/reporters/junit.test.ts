import { describe, expect, it } from 'vitest';
import { renderJunit } from './junit.ts';
import { emptyReport } from './testing.ts';

describe('junit reporter: route inventory', () => {
  it('has one passing testcase per route list read, naming the routes no contract checks, escaped', () => {
    const xml = renderJunit(emptyReport({
      inventory: [
        { app: 'ryla-flux', state: 'registered', routes: 12, latencyMs: 4, uncatalogued: ['POST /workflow', 'GET /a<b>'] },
        { app: 'ryla-lora', state: 'unreadable', routes: 0, latencyMs: 2, detail: 'GET /openapi.json answered 500' },
      ],
    }));
    expect(xml).toContain('<testsuite name="route inventory" tests="2" failures="0" time="0">');
    expect(xml).toContain('<testcase classname="route-inventory" name="ryla-flux">');
    expect(xml).toContain('<system-out>read: 12 routes; registered but no contract checks them: POST /workflow, GET /a&lt;b&gt;</system-out>');
    expect(xml).toContain('<system-out>unreadable: the calls decided (GET /openapi.json answered 500)</system-out>');
    expect(xml).not.toContain('<failure');
  });

  it('has no inventory suite when the gate read none (--no-inventory)', () => {
    expect(renderJunit(emptyReport())).not.toContain('route inventory');
  });
});
