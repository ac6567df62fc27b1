import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.ts';
import { parseDurationMs } from '../config/duration.ts';
import { inMaintenance, windowEnd } from '../config/maintenance.ts';
import { MaintenanceCalendar, MAX_API_WINDOW_MS } from './windows.ts';

const at = (iso: string) => Date.parse(iso);

describe('durations', () => {
  it.each([
    ['20m', 1_200_000],
    ['1h30m', 5_400_000],
    ['90s', 90_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
  ])('%s = %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));
  it.each(['', 'soon', '20', 'm20', '20 m', '-5m', '0m', '1h x'])('"%s" is not a duration', (text) => expect(parseDurationMs(text)).toBeUndefined());
});

describe('recurring maintenance windows in config', () => {
  // Every Tuesday 02:00 for 1h30m, Berlin time: 01:00–02:30 UTC in winter (CET), 00:00–01:30 in summer (CEST).
  const config = parseConfig({ maintenance: [{ cron: '0 2 * * 2', duration: '1h30m', timezone: 'Europe/Berlin', apps: ['ryla-flux'], reason: 'weekly deploy' }] });
  const w = config.maintenance[0];

  it.each([
    ['2026-01-06T00:59:00Z', false],
    ['2026-01-06T01:00:00Z', true],
    ['2026-01-06T02:29:59Z', true],
    ['2026-01-06T02:30:00Z', false],
    ['2026-07-07T00:10:00Z', true],
    ['2026-07-07T01:10:00Z', true],
    ['2026-07-07T01:31:00Z', false],
    ['2026-01-07T01:30:00Z', false],
  ])('at %s in window: %s', (iso, inside) => {
    expect(windowEnd(w, at(iso)) !== undefined).toBe(inside);
    expect(inMaintenance(config.maintenance, 'ryla-flux', at(iso)) !== undefined).toBe(inside);
  });

  it('the calendar lists an open recurring window with its start and end', () => {
    const cal = new MaintenanceCalendar(config.maintenance, () => at('2026-01-06T01:45:00Z'));
    expect(cal.active()).toEqual([{ id: 'config:0', source: 'config', apps: ['ryla-flux'], reason: 'weekly deploy', start: at('2026-01-06T01:00:00Z'), until: at('2026-01-06T02:30:00Z') }]);
  });

  it('ends at start + duration, and only covers its apps', () => {
    expect(new Date(windowEnd(w, at('2026-01-06T01:45:00Z'))!).toISOString()).toBe('2026-01-06T02:30:00.000Z');
    expect(inMaintenance(config.maintenance, 'ryla-wan26', at('2026-01-06T01:45:00Z'))).toBeUndefined();
  });

  it.each([
    [{ cron: '0 2 * * 2', duration: '1h', timezone: 'Mars/Olympus', reason: 'x' }, /maintenance\.0\.timezone: is not a known IANA time zone/],
    [{ cron: '0 0 2 * * 2', duration: '1h', reason: 'x' }, /maintenance\.0\.cron: must be a valid 5-field cron/],
    [{ cron: '0 2 * * 2', duration: '2d', reason: 'x' }, /maintenance\.0\.duration: must be a duration from 1m to 24h/],
    [{ cron: '0 2 * * 2', duration: '1h', reason: 'x', every: 'week' }, /maintenance\.0/],
  ])('a bad recurring window is a config error naming the field: %o', (win, message) => {
    expect(() => parseConfig({ maintenance: [win] })).toThrow(message);
  });
});

describe('MaintenanceCalendar', () => {
  it('merges configured and run-time windows; run-time ones end by id, by app or on their own', () => {
    let now = at('2026-03-01T12:00:00Z');
    const cal = new MaintenanceCalendar(parseConfig({ maintenance: [{ start: '2026-03-01T11:00:00Z', end: '2026-03-01T13:00:00Z', apps: ['ryla-wan26'], reason: 'migration' }] }).maintenance, () => now);
    const a = cal.open({ apps: ['ryla-flux'], durationMs: 20 * 60_000, reason: 'deploy' });
    const b = cal.open({ apps: null, durationMs: 90 * 60_000, reason: 'fleet-wide' });
    expect(cal.active().map((w) => w.reason)).toEqual(['migration', 'deploy', 'fleet-wide']);
    expect(cal.for('ryla-flux')?.id).toBe(b.id);
    expect(cal.for('ryla-wan26')?.reason).toBe('fleet-wide');
    expect(cal.end({ id: b.id }).map((w) => w.id)).toEqual([b.id]);
    expect(cal.for('ryla-flux')?.id).toBe(a.id);
    expect(cal.for('ryla-wan26')?.reason).toBe('migration');
    now += 21 * 60_000;
    expect(cal.for('ryla-flux')).toBeUndefined();
    expect(cal.end({ apps: ['ryla-wan26'] })).toEqual([]);
  });

  it('refuses windows without a reason, and windows longer than the cap', () => {
    const cal = new MaintenanceCalendar([]);
    expect(() => cal.open({ apps: null, durationMs: 60_000, reason: '  ' })).toThrow(/reason/);
    expect(() => cal.open({ apps: null, durationMs: MAX_API_WINDOW_MS + 1, reason: 'deploy' })).toThrow(/duration/);
  });
});
