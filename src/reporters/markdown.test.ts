import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.ts';
import { emptyReport } from './testing.ts';

describe('markdown reporter: route inventory', () => {
  it('lists every route list the gate read and the routes no contract checks, as table cells that cannot inject', () => {
    const md = renderMarkdown(emptyReport({
      inventory: [
        { app: 'ryla-flux', state: 'registered', routes: 12, latencyMs: 4, uncatalogued: ['POST /workflow', 'GET /a|<b>'] },
        { app: 'ryla-lora', state: 'not-deployed', routes: 0, latencyMs: 2 },
      ],
    }));
    expect(md).toContain('### Route inventory');
    expect(md).toContain('| ryla-flux | read | 12 | POST /workflow, GET /a\\|&lt;b&gt; |');
    expect(md).toContain('| ryla-lora | not-deployed: the calls decided | 0 | — |');
  });

  it('has no inventory section when the gate read none (--no-inventory)', () => {
    expect(renderMarkdown(emptyReport())).not.toContain('Route inventory');
  });
});
