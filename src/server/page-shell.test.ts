/**
 * Both pages of `genprobe serve` are one shell (./page-shell.ts) around their own body: the head
 * each serves links the stylesheet and script the server answers, under the strict policy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from './app.ts';
import { pageCsp } from './page-shell.ts';
import { ReviewStore } from './review/store.ts';
import { registerReview } from './review/routes.ts';
import { registerStatusPage } from './status-page.ts';

const statusSource = { endpoints: () => [], endpoint: () => undefined, budget: () => [], usage: () => undefined };
let dir: string;
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'genprobe-page-shell-'));
  const app = express();
  registerReview(app, { store: new ReviewStore(path.join(dir, 'review')), waiversFile: path.join(dir, 'waivers.yaml'), goldenDir: path.join(dir, 'golden') });
  registerStatusPage(app, statusSource);
  ({ url, close } = await listen(app, '127.0.0.1', 0));
});
afterAll(async () => {
  await close?.();
  rmSync(dir, { recursive: true, force: true });
});

describe('the page shell', () => {
  it.each([
    { page: '/', title: 'genprobe status', css: '/status/app.css', js: '/status/app.js', bodyMark: 'id="grid"', csp: pageCsp() },
    { page: '/review', title: 'genprobe review', css: '/review/review.css', js: '/review/review.js', bodyMark: 'id="matrix"', csp: pageCsp({ media: true }) },
  ])('$page: one head linking assets the server answers, its own body, the strict policy', async ({ page, title, css, js, bodyMark, csp }) => {
    const res = await fetch(`${url}${page}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(csp);
    expect(csp).not.toContain('unsafe-inline');
    const html = await res.text();
    expect(html.startsWith('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')).toBe(true);
    expect(html).toContain(`<title>${title}</title>\n<link rel="stylesheet" href="${css}">\n<script src="${js}" defer></script>\n</head>\n<body>\n`);
    expect(html.match(/<head>/g)).toHaveLength(1);
    expect(html.match(/<body>/g)).toHaveLength(1);
    expect(html.indexOf(bodyMark)).toBeGreaterThan(html.indexOf('<body>'));
    expect(html.endsWith('</body>\n</html>\n')).toBe(true);
    for (const [asset, type] of [[css, 'text/css; charset=utf-8'], [js, 'text/javascript; charset=utf-8']]) {
      const a = await fetch(`${url}${asset}`);
      expect(a.status, asset).toBe(200);
      expect(a.headers.get('content-type'), asset).toBe(type);
    }
  });
});
