/**
 * `npm run dashboards`: writes the Grafana dashboards (dashboards/json), the Grafana provisioning
 * files (dashboards/provisioning) and the Prometheus rules with their promtool tests (dashboards/rules)
 * from the TypeScript in dashboards/src. The test dashboards.test.ts fails when these files drift.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from './src/index.ts';

const root = dirname(fileURLToPath(import.meta.url));
for (const [relative, content] of Object.entries(generatedFiles())) {
  const path = join(root, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  console.log(`wrote dashboards/${relative}`);
}
