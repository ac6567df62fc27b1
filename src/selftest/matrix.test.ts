/** The fault matrix as data, the cell judge and the grid: pure parts, no emulator. */
import { describe, expect, it } from 'vitest';
import { CATALOG, getEndpoint, liveEndpoints } from '../catalog/index.ts';
import { CHECK_NAMES, type CheckName } from '../checks/types.ts';
import { FAULTS } from '../emulator/faults.ts';
import { defaultMatrixEndpoints, FAULT_EXPECTATIONS, faultApplies, formatMatrix, HEALTHY, judgeCell, matrixMisses, planMatrix, type MatrixCell } from './matrix.ts';

const ids = (fault: keyof typeof FAULT_EXPECTATIONS) => defaultMatrixEndpoints().filter((e) => faultApplies(fault, e)).map((e) => e.id);

describe('fault matrix data', () => {
  it('covers every emulator fault, each with known check names, and each applies somewhere', () => {
    expect(Object.keys(FAULT_EXPECTATIONS).sort()).toEqual(FAULTS.map((f) => f.name).sort());
    for (const x of Object.values(FAULT_EXPECTATIONS)) {
      expect(x.expect.length, x.fault).toBeGreaterThan(0);
      for (const c of x.expect) expect(CHECK_NAMES as readonly string[], `${x.fault} → ${c}`).toContain(c);
      expect(ids(x.fault).length, `${x.fault} applies to no live endpoint`).toBeGreaterThan(0);
    }
  });

  it('frame faults only for video kinds, pixel faults never for JSON, transport faults everywhere', () => {
    const kinds = (fault: keyof typeof FAULT_EXPECTATIONS) => new Set(ids(fault).map((id) => getEndpoint(id).output.kind));
    expect(kinds('wrong-frames')).toEqual(new Set(['webp-animated', 'mp4']));
    expect(kinds('wrong-fps')).toEqual(new Set(['webp-animated', 'mp4']));
    for (const f of ['wrong-dims', 'wrong-format', 'blank', 'tiny', 'slow-drip'] as const) expect(kinds(f).has('json'), f).toBe(false);
    for (const f of ['truncated', 'oversized', 'app-5xx', 'modal-5xx', 'modal-408', 'modal-404', 'slow', 'redirect-loop', 'invalid-gzip', 'lying-length'] as const) {
      expect(ids(f), f).toEqual(defaultMatrixEndpoints().map((e) => e.id));
    }
  });

  it('cost-header faults only where the headers reach the client; face faults only where a face is promised', () => {
    expect(ids('missing-cost-headers')).toEqual(['flux-pulid']);
    const faceIds = defaultMatrixEndpoints().filter((e) => e.face).map((e) => e.id);
    expect(faceIds).toContain('batch-video-faceswap');
    expect(ids('wrong-face')).toEqual(faceIds);
    expect(ids('no-face')).toEqual(faceIds);
  });

  it('removed and incompatible routes, and apps of unknown deployment, are not in the matrix', () => {
    const inMatrix = new Set(defaultMatrixEndpoints().map((e) => e.id));
    for (const e of CATALOG.filter((x) => x.lifecycle !== 'live')) {
      expect(inMatrix.has(e.id), e.id).toBe(false);
      expect(faultApplies('app-5xx', e), e.id).toBe(false);
    }
    expect(inMatrix.has('flux-lora')).toBe(false);
    expect(defaultMatrixEndpoints().length).toBe(liveEndpoints({ deployedOnly: true }).length);
  });

  it('plans the healthy baseline first, then only applicable cells', () => {
    const cells = planMatrix([getEndpoint('flux'), getEndpoint('wan2.6')], ['wrong-frames', 'wrong-dims']);
    expect(cells.map((c) => `${c.fault}:${c.entry.id}`)).toEqual(['healthy:flux', 'healthy:wan2.6', 'wrong-frames:wan2.6', 'wrong-dims:flux', 'wrong-dims:wan2.6']);
    expect(planMatrix([getEndpoint('loras')], ['wrong-frames'], false)).toEqual([]);
  });
});

type Check = { check: CheckName; verdict: string; message: string; waived?: unknown };
const report = (verdict: MatrixCell['verdict'], checks: Check[]) => ({ verdict, checks });

describe('judgeCell', () => {
  const flux = getEndpoint('flux');
  it('caught when an expected check fails unwaived', () => {
    const cell = judgeCell('wrong-dims', flux, report('fail', [{ check: 'image-size', verdict: 'fail', message: '256×256, expected 512×512' }]), 5);
    expect(cell).toMatchObject({ detected: true, caughtBy: ['image-size'], expected: ['image-size'], endpoint: 'flux', app: 'ryla-flux' });
  });
  it('a fault caught only by another check is a miss (the report would point at the wrong problem)', () => {
    const cell = judgeCell('wrong-dims', flux, report('fail', [{ check: 'transport', verdict: 'fail', message: 'timeout: deadline passed' }]), 5);
    expect(cell).toMatchObject({ detected: false, caughtBy: ['transport'] });
    expect(cell.detail).toContain('timeout');
  });
  it('a waived failure of the expected check does not count: the gate would pass', () => {
    const cell = judgeCell('missing-cost-headers', getEndpoint('flux-pulid'), report('waived', [{ check: 'cost-headers', verdict: 'fail', message: 'missing', waived: { reason: 'r', expires: '2027-01-01' } }]), 5);
    expect(cell).toMatchObject({ detected: false, caughtBy: [] });
  });
  it('healthy baseline: passes unless the gate fails or skips', () => {
    expect(judgeCell(HEALTHY, flux, report('waived', []), 1).detected).toBe(true);
    expect(judgeCell(HEALTHY, flux, report('fail', [{ check: 'latency', verdict: 'fail', message: 'slow' }]), 1).detected).toBe(false);
    expect(judgeCell(HEALTHY, flux, { verdict: 'skipped', skipReason: 'not deployed', checks: [] }, 1)).toMatchObject({ detected: false, detail: 'skipped: not deployed' });
  });
});

describe('formatMatrix', () => {
  it('prints ✓ caught, ✗ missed, · not applicable, a legend and the misses', () => {
    const cell = (fault: MatrixCell['fault'], endpoint: string, detected: boolean, caughtBy: CheckName[] = []): MatrixCell => ({
      fault, endpoint, app: 'ryla-x', expected: fault === HEALTHY ? [] : FAULT_EXPECTATIONS[fault].expect, caughtBy, detected, verdict: detected ? 'fail' : 'pass', detail: detected ? 'x' : 'verdict pass, no check failed', durationMs: 1,
    });
    const cells = [cell(HEALTHY, 'flux', true), cell(HEALTHY, 'wan2.6', true), cell('wrong-dims', 'flux', true, ['image-size']), cell('wrong-dims', 'wan2.6', true, ['image-size']), cell('wrong-frames', 'wan2.6', false)];
    const text = formatMatrix(cells);
    const rows = text.split('\n');
    expect(rows[0]).toMatch(/^fault\s+1\s+2\s+caught by$/);
    expect(rows.find((r) => r.startsWith('wrong-dims'))).toMatch(/^wrong-dims\s+✓\s+✓\s+image-size$/);
    expect(rows.find((r) => r.startsWith('wrong-frames'))).toMatch(/^wrong-frames\s+·\s+✗\s+frame-count$/);
    expect(text).toMatch(/1 flux\s+2 wan2\.6/);
    expect(text).toContain('2/3 fault cells caught, 0 false alarms');
    expect(text).toContain('✗ wrong-frames × wan2.6: not detected (verdict pass), expected frame-count');
    expect(matrixMisses(cells).map((c) => c.fault)).toEqual(['wrong-frames']);
  });
});
