import { describe, expect, it } from 'vitest';
import type { GateReport } from '../report/types.ts';
import { renderMarkdown } from './markdown.ts';

const base = {
  summary: { pass: 0, fail: 0, warn: 0, waived: 0, skipped: 0, total: 0 }, exitCode: 0, durationMs: 1000, waivers: [], endpoints: [],
  target: { url: 'http://127.0.0.1:1/{app}', timeScale: 1 },
} as unknown as GateReport;

describe('markdown reporter: route inventory', () => {
  it('lists every route list the gate read and the routes no contract checks, as table cells that cannot inject', () => {
    const md = renderMarkdown({
      ...base,
      inventory: [
        { app: 'ryla-flux', state: 'registered', routes: 12, latencyMs: 4, uncatalogued: ['POST /workflow', 'GET /a|<b>'] },
        { app: 'ryla-lora', state: 'not-deployed', routes: 0, latencyMs: 2 },
      ],
    });
    expect(md).toContain('### Route inventory');
    expect(md).toContain('| ryla-flux | read | 12 | POST /workflow, GET /a\\|&lt;b&gt; |');
    expect(md).toContain('| ryla-lora | not-deployed: the calls decided | 0 | — |');
  });

  it('has no inventory section when the gate read none (--no-inventory)', () => {
    expect(renderMarkdown(base)).not.toContain('Route inventory');
  });
});
