/**
 * Draw the genuine/impostor cosine distributions of a face calibration file, with its percentage curve and
 * the 80 % / 85 % points, as a small PNG for the README (SVG rendered by sharp).
 *   npx tsx scripts/face-calibration-plot.ts [--in src/face/calibration.json] [--out docs/face-calibration.png]
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { calibrationPath, matchPercent, type Calibration } from '../src/face/percent.ts';

const { values } = parseArgs({ options: { in: { type: 'string' }, out: { type: 'string', default: 'docs/face-calibration.png' } } });
const cal = JSON.parse(await readFile(values.in ?? calibrationPath('human-faceres'), 'utf8')) as Calibration;

const W = 840, H = 360, L = 60, R = 60, T = 46, B = 50;
const pw = W - L - R, ph = H - T - B;
const { from, width, genuine, impostor } = cal.histogram;
const bins = genuine.length;
const maxCount = Math.max(1, ...genuine, ...impostor);
const x = (cos: number): number => L + ((cos - from) / (bins * width)) * pw;
const yCount = (n: number): number => T + ph - (n / maxCount) * ph;
const yPct = (p: number): number => T + ph - (p / 100) * ph;
const cosAt = (p: number): number => (Math.log(p / (1 - p)) - cal.b) / cal.a;
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

const parts: string[] = [];
parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
const bw = pw / bins;
for (let i = 0; i < bins; i++) {
  if (impostor[i]) parts.push(`<rect x="${L + i * bw + 1}" y="${yCount(impostor[i])}" width="${bw - 2}" height="${T + ph - yCount(impostor[i])}" fill="#d9534f" fill-opacity="0.75"/>`);
  if (genuine[i]) parts.push(`<rect x="${L + i * bw + 1}" y="${yCount(genuine[i])}" width="${bw - 2}" height="${T + ph - yCount(genuine[i])}" fill="#2e8b57" fill-opacity="0.75"/>`);
}
// percentage curve
const pts: string[] = [];
for (let k = 0; k <= 200; k++) {
  const c = from + (k / 200) * bins * width;
  pts.push(`${x(c).toFixed(1)},${yPct(matchPercent(c, cal)).toFixed(1)}`);
}
parts.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="#1f4e9c" stroke-width="2"/>`);
for (const [p, label] of [[0.8, '80 %'], [0.85, '85 %']] as const) {
  const c = cosAt(p);
  parts.push(`<line x1="${x(c)}" y1="${T}" x2="${x(c)}" y2="${T + ph}" stroke="#555" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${x(c) + (p === 0.8 ? -4 : 4)}" y="${T + 12}" font-size="11" text-anchor="${p === 0.8 ? 'end' : 'start'}" fill="#333">${label} (cos ${c.toFixed(3)})</text>`);
}
// axes
parts.push(`<line x1="${L}" y1="${T + ph}" x2="${L + pw}" y2="${T + ph}" stroke="black"/><line x1="${L}" y1="${T}" x2="${L}" y2="${T + ph}" stroke="black"/><line x1="${L + pw}" y1="${T}" x2="${L + pw}" y2="${T + ph}" stroke="#1f4e9c"/>`);
for (let c = 0; c <= 1.0001; c += 0.1) parts.push(`<text x="${x(c)}" y="${T + ph + 16}" font-size="11" text-anchor="middle">${c.toFixed(1)}</text>`);
for (let p = 0; p <= 100; p += 25) parts.push(`<text x="${L + pw + 6}" y="${yPct(p) + 4}" font-size="11" fill="#1f4e9c">${p} %</text>`);
for (const n of [0, Math.round(maxCount / 2), maxCount]) parts.push(`<text x="${L - 6}" y="${yCount(n) + 4}" font-size="11" text-anchor="end">${n}</text>`);
parts.push(`<text x="${L + pw / 2}" y="${H - 12}" font-size="12" text-anchor="middle">cosine similarity (${esc(cal.embedder.name)})</text>`);
parts.push(`<text x="16" y="${T + ph / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 16 ${T + ph / 2})">pairs</text>`);
parts.push(
  `<text x="${L}" y="20" font-size="13" font-weight="bold">Face calibration: ${cal.pairs.genuine} genuine (green) vs ${cal.pairs.impostor} impostor (red) pairs; blue = match %</text>`,
);
parts.push(
  `<text x="${L}" y="36" font-size="10" fill="#333">${esc(`${cal.embedder.version} · a=${cal.a} b=${cal.b} (${cal.fit.method}) · genuine ≥ ${cal.percent.genuineMin} %, impostor ≤ ${cal.percent.impostorMax} % · ${cal.date.slice(0, 10)}`)}</text>`,
);
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif">${parts.join('')}</svg>`;
await mkdir(path.dirname(values.out!), { recursive: true });
await sharp(Buffer.from(svg)).png().toFile(values.out!);
console.log(`wrote ${values.out}`);
