import { describe, expect, it } from 'vitest';
import { CATALOG } from '../catalog/index.ts';
import { ConfigError, parseConfig } from '../config/index.ts';
import { matchEndpoints, resolveSchedules, Scheduler } from './scheduler.ts';

describe('schedules', () => {
  it('match an id, a tag, or every live endpoint', () => {
    expect(matchEndpoints('flux').map((e) => e.id)).toEqual(['flux']);
    expect(matchEndpoints('tag:cheap').every((e) => e.tags.includes('cheap'))).toBe(true);
    const all = matchEndpoints('*');
    expect(all.length).toBe(CATALOG.filter((e) => e.lifecycle === 'live').length);
    expect(all.some((e) => e.id === 'sdxl-turbo')).toBe(false);
  });

  it('a bad schedule is a ConfigError naming its field', () => {
    expect(() => resolveSchedules([{ match: 'no-such-endpoint', cron: '* * * * *', kind: 'smoke' }])).toThrow(/probes\.schedules\.0\.match: no endpoint has id/);
    expect(() => resolveSchedules([{ match: 'flux', cron: '* * * * *', kind: 'smoke' }, { match: 'tag:nope', cron: '* * * * *', kind: 'health' }])).toThrow(/probes\.schedules\.1\.match/);
    expect(() => parseConfig({ probes: { schedules: [{ match: 'flux', cron: 'every minute', kind: 'smoke' }] } })).toThrow(/probes\.schedules\.0\.cron/);
    expect(() => new Scheduler({ schedules: [], timezone: 'Mars/Olympus', probe: async () => { throw new Error('unused'); } })).toThrow(ConfigError);
  });
});
