/**
 * The control API under `/__emulator`: state and call records, fault and drift rules, slowdowns,
 * scale-down and reset. Tests and `genprobe selftest` drive the emulator through it.
 */
import express from 'express';
import type { EmulatorContext } from './context.ts';
import { DRIFT_FAULTS } from './drift.ts';
import { FAULTS } from './faults.ts';
import type { EmulatorState } from './state.ts';

/** A set of rules the control API lists, adds to (400 naming the problem) and clears. */
interface RuleSet {
  list(): unknown[];
  add(input: unknown): unknown;
  clear(): void;
}

function serveRules(control: express.Router, path: string, rules: RuleSet, available: unknown): void {
  control.get(path, (_req, res) => void res.json({ rules: rules.list(), available }));
  control.post(path, (req, res) => {
    try {
      res.status(201).json(rules.add(req.body));
    } catch (e) {
      res.status(400).json({ error: (e as Error).message });
    }
  });
  control.delete(path, (_req, res) => {
    rules.clear();
    res.status(204).end();
  });
}

function serveSlowdowns(control: express.Router, ctx: EmulatorContext): void {
  control.get('/slowdown', (_req, res) => void res.json({ slowdowns: ctx.slowdowns.toJSON() }));
  control.post('/slowdown', (req, res) => {
    try {
      ctx.slowdowns.set(req.body, (name) => ctx.apps.has(name));
    } catch (e) {
      return void res.status(400).json({ error: (e as Error).message });
    }
    res.status(201).json({ slowdowns: ctx.slowdowns.toJSON() });
  });
  control.delete('/slowdown', (_req, res) => {
    ctx.slowdowns.clear();
    res.status(204).end();
  });
}

export function controlRouter(ctx: EmulatorContext, state: EmulatorState): express.Router {
  const control = express.Router();
  control.use(express.json({ limit: '1mb' }));
  control.get('/state', (_req, res) => void res.json(state.snapshot()));
  control.get('/calls/:id', (req, res) => {
    const rec = state.call(String(req.params.id));
    if (!rec) return void res.status(404).json({ error: `no call ${req.params.id}` });
    res.json(rec);
  });
  serveRules(control, '/faults', ctx.faultRules, FAULTS);
  serveRules(control, '/drift', ctx.drift, DRIFT_FAULTS);
  serveSlowdowns(control, ctx);
  control.post('/reset', (_req, res) => {
    state.reset();
    res.json({ ok: true });
  });
  control.post('/scale-down', (req, res) => {
    const target = (req.body as { app?: unknown } | undefined)?.app;
    if (target !== undefined && (typeof target !== 'string' || !ctx.apps.has(target))) return void res.status(400).json({ error: `unknown app ${JSON.stringify(target)}` });
    state.scaleDown(target as string | undefined);
    res.json({ ok: true, apps: state.snapshot().apps.map((a) => ({ app: a.app, container: a.container })) });
  });
  return control;
}
