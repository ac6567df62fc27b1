/**
 * Redaction before truncation, end to end (issue 13.6): an endpoint that echoes the Modal-Key into
 * its error body, with the key at every offset around the client's 300-character failure quote and
 * the status check's 200-character body excerpt. Nothing a report carries keeps any 3 characters of
 * the key, and a key cut short by a third party (a prefix) is redacted too.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEndpoint } from '../../src/catalog/index.ts';
import { runErrorCaseChecks, runOutputChecks } from '../../src/checks/index.ts';
import { ModalClient, MIN_SECRET_FRAGMENT } from '../../src/client/index.ts';

const KEY = 'wk-Jd8sLq2XvN6pRt4YbM9c';
const SECRET = 'ws-Zr5TkW1nHq7FyP3gVx0e';
let body = '';
let server: http.Server;
let client: ModalClient;

beforeAll(async () => {
  server = http.createServer((_req, res) => res.writeHead(500, { 'content-type': 'application/json' }).end(body));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  client = new ModalClient({ targetTemplate: `http://127.0.0.1:${(server.address() as AddressInfo).port}/{app}`, auth: { key: KEY, secret: SECRET } });
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function fragments(text: string, secret: string, n: number): string[] {
  const out: string[] = [];
  for (let p = 0; p + n <= secret.length; p++) if (text.includes(secret.slice(p, p + n))) out.push(secret.slice(p, p + n));
  return out;
}

async function reportText(): Promise<string> {
  const flux = getEndpoint('flux');
  const call = await client.call({ app: 'ryla-flux', path: '/flux', method: 'POST', json: {}, deadlineMs: 10_000 });
  const response = { status: call.status, headers: call.headers, body: call.body, declaredType: call.declaredType, sniffedType: call.sniffedType };
  const checks = await runOutputChecks({ output: flux.output, headers: flux.headers, request: {}, response });
  const negative = runErrorCaseChecks(flux.errors[0]!, response);
  return JSON.stringify({ failure: call.failure, checks, negative, headers: call.headers });
}

describe('a secret near a quote boundary never leaks a prefix', () => {
  it('at every offset around the 200- and 300-character cuts', async () => {
    const lead = '{"error":"';
    for (const cut of [200, 300]) {
      for (let start = cut - KEY.length - 2; start <= cut + 2; start++) {
        body = `${lead}${'a'.repeat(start - lead.length)}${KEY}${'b'.repeat(300)}","type":"ValueError"}`;
        const text = await reportText();
        expect(fragments(text, KEY, 3), `cut ${cut}, key at ${start}`).toEqual([]);
      }
    }
  });

  it('a secret prefix a third party cut off, at the end of the cut or mid-text', async () => {
    for (let len = MIN_SECRET_FRAGMENT; len < SECRET.length; len++) {
      for (const start of [40, 200 - len, 300 - len]) {
        body = `{"detail":"${'c'.repeat(start)}${SECRET.slice(0, len)}"}`;
        expect(fragments(await reportText(), SECRET, MIN_SECRET_FRAGMENT), `len ${len} at ${start}`).toEqual([]);
      }
    }
  });
});
