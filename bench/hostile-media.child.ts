/**
 * Child process of the hostile-media benchmark: judges one output file with every output check of
 * one catalog endpoint (its sample request) and prints the time to a verdict and its peak RSS.
 *   node --import tsx bench/hostile-media.child.ts FILE ENDPOINT_ID
 *   node --import tsx bench/hostile-media.child.ts FILE --libvips-page N   (the pre-issue-18 decode: libvips page N)
 */
import { readFileSync } from 'node:fs';

/** CPU ms of this process's waited-for children (ffmpeg): cutime + cstime of /proc/self/stat. */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'latin1').split(') ')[1].split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100; // fields 16, 17 of stat(5); USER_HZ 100
}
import sharp from 'sharp';
import { getEndpoint } from '../src/catalog/index.ts';
import { runOutputChecks } from '../src/checks/index.ts';

const [file, mode, arg] = process.argv.slice(2);
if (!file || !mode) throw new Error('usage: hostile-media.child.ts FILE ENDPOINT_ID | FILE --libvips-page N');
const body = readFileSync(file);
const rssBeforeKb = process.resourceUsage().maxRSS;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const children0 = childrenCpuMs();
let result: Record<string, unknown>;
if (mode === '--libvips-page') {
  await sharp(body, { page: Number(arg), limitInputPixels: false }).raw().toBuffer();
  result = { decoded: true };
} else {
  const entry = getEndpoint(mode);
  const checks = await runOutputChecks({
    output: entry.output,
    headers: entry.headers,
    request: entry.sample as Record<string, unknown>,
    response: { status: 200, headers: { 'content-type': entry.output.declaredType }, body, declaredType: entry.output.declaredType },
  });
  const failing = checks.filter((c) => c.verdict === 'fail' && c.check !== 'cost-headers' && c.check !== 'declared-type');
  result = { failing: failing.map((c) => ({ check: c.check, message: c.message.slice(0, 160) })), verdicts: checks.length };
}
const cpu = process.cpuUsage(cpu0);
const cpuMs = Math.round((cpu.user + cpu.system) / 1000 + childrenCpuMs() - children0);
console.log(JSON.stringify({ ...result, ms: Math.round(performance.now() - t0), cpuMs, rssBeforeKb, maxRssKb: process.resourceUsage().maxRSS }));
