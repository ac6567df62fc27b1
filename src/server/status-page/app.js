// genprobe status page. Builds every node with createElement + textContent/setAttribute: what an
// endpoint says (error bodies, messages) is untrusted and never reaches innerHTML.
'use strict';

(() => {
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const params = new URLSearchParams(location.search);
  const refreshSec = clampRefresh(params.get('refresh'));
  let meta = new Map();
  let lastStatus = null;
  let refreshes = 0;
  let failingOnly = params.get('failing') === '1';

  function clampRefresh(raw) {
    const n = Number(raw);
    if (raw === null || !Number.isFinite(n)) return 10;
    return Math.min(3600, Math.max(1, n));
  }

  /** el('div', {class: 'x'}, 'text', child) — strings become text nodes, never markup. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null && v !== false) node.setAttribute(k, String(v));
    for (const c of children) if (c !== undefined && c !== null && c !== false) node.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    return node;
  }

  function fmtMs(ms) {
    if (ms === null || ms === undefined) return '–';
    return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  }

  function fmtAgo(iso, now) {
    if (!iso) return 'never';
    const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
    if (s < 60) return `${s} s ago`;
    if (s < 3600) return `${Math.round(s / 60)} min ago`;
    if (s < 86400) return `${Math.round(s / 3600)} h ago`;
    return `${Math.round(s / 86400)} d ago`;
  }

  function fmtUsd(v) {
    return `$${Number(v).toFixed(v < 1 ? 4 : 2)}`;
  }

  /** pass | warn | fail | skipped | pending: what the card's colour says. */
  function verdictOf(ep) {
    if (ep.lastSkip && (!ep.lastProbe || Date.parse(ep.lastSkip.at) >= Date.parse(ep.lastProbe.at))) return ep.lastProbe ? ep.lastProbe.result : 'skipped';
    return ep.lastProbe ? ep.lastProbe.result : 'pending';
  }

  /** The endpoint's state with hysteresis (up|degraded|pending|down|maintenance), or null before any probe. */
  function stateBadge(ep) {
    const st = ep.state;
    if (!st) return el('span', { class: 'state state-unknown', 'data-state': 'unknown', title: 'not probed yet' }, 'unknown');
    const why = st.state === 'pending' ? `${st.failures} of ${st.thresholds.failuresToDown} failures in a row before down`
      : st.state === 'down' && st.passes ? `${st.passes} of ${st.thresholds.passesToUp} passes in a row before up`
      : `since ${st.since}`;
    const ratio = st.passRatio === null ? '' : ` · ${Math.round(st.passRatio * 100)} % of the last ${st.windowProbes} probes passed`;
    return el('span', { class: `state state-${st.state}`, 'data-state': st.state, title: `${why}${ratio}` }, st.state);
  }

  function maintenanceNote(ep) {
    const w = ep.state && ep.state.state === 'maintenance' ? ep.state.maintenance : null;
    if (!w) return null;
    return el('div', { class: 'maintenance', 'data-maintenance': 'true' }, `maintenance: ${w.reason}${w.until ? ` (until ${new Date(w.until).toLocaleTimeString()})` : ''}`);
  }

  function renderMaintenance(windows) {
    const box = document.getElementById('maintenance');
    box.replaceChildren();
    box.hidden = !windows || windows.length === 0;
    for (const w of windows || []) {
      box.append(el('div', { class: 'maint-window', 'data-window': w.id }, `maintenance ${w.apps ? w.apps.join(', ') : 'all apps'} until ${new Date(w.until).toLocaleTimeString()}: ${w.reason}`));
    }
  }

  function budgetFor(ep, m) {
    if (!m || !ep.lastProbe) return null;
    const b = ep.lastProbe.kind === 'health' ? m.budgetSec.health : m.budgetSec.contract;
    const start = ep.lastProbe.start === 'cold' ? 'cold' : 'warm';
    return { sec: b[start], start, warm: b.warm, cold: b.cold };
  }

  function latencyBar(ep, m, timeScale) {
    const p = ep.lastProbe;
    const wrap = el('div', { class: 'latency' });
    if (!p || p.latencyMs === null) {
      wrap.append(el('div', { class: 'latency-label' }, 'latency –'));
      return wrap;
    }
    const b = budgetFor(ep, m);
    const budgetMs = b ? b.sec * 1000 * timeScale : null;
    const ratio = budgetMs ? p.latencyMs / budgetMs : 0;
    const start = p.start || 'unknown';
    wrap.append(
      el('div', { class: 'latency-label' },
        el('span', { class: `start start-${start}` }, start),
        ` ${fmtMs(p.latencyMs)}`,
        b ? el('span', { class: 'budget-text' }, ` / ${b.start} budget ${fmtMs(budgetMs)}`) : '',
      ),
    );
    const bar = el('div', { class: 'bar', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(Math.min(ratio, 1) * 100), title: p.startReason || '' });
    bar.append(el('div', { class: `fill lat-${p.latencyVerdict || 'none'}`, style: undefined }));
    // Width through the CSSOM (the CSP forbids inline style attributes, not style properties set from script).
    bar.firstChild.style.width = `${Math.min(ratio, 1) * 100}%`;
    if (ratio > 1) bar.append(el('span', { class: 'over' }, `×${ratio.toFixed(1)}`));
    wrap.append(bar);
    if (timeScale !== 1) wrap.append(el('div', { class: 'hint' }, `budgets scaled by time scale ${timeScale}`));
    return wrap;
  }

  /** A sparkline of the latency history: warm dots blue, cold dots orange, failed red; budget dashed. */
  function sparkline(ep, m, timeScale) {
    const h = ep.history || [];
    const W = 260, H = 56, PAD = 4;
    const chart = svg('svg', { class: 'spark', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img' });
    chart.setAttribute('aria-label', `latency history of ${ep.endpoint}`);
    if (h.length === 0) {
      const t = svg('text', { x: PAD, y: H / 2, class: 'spark-empty' });
      t.textContent = 'no latency samples yet';
      chart.append(t);
      return chart;
    }
    const b = budgetFor(ep, m);
    const budgetMs = b ? b.warm * 1000 * timeScale : 0;
    const max = Math.max(...h.map((s) => s.ms), budgetMs && budgetMs < 4 * Math.max(...h.map((s) => s.ms)) ? budgetMs : 0, 1);
    const x = (i) => (h.length === 1 ? W / 2 : PAD + (i * (W - 2 * PAD)) / (h.length - 1));
    const y = (ms) => H - PAD - (ms / max) * (H - 2 * PAD);
    if (budgetMs && budgetMs <= max) chart.append(svg('line', { class: 'spark-budget', x1: 0, x2: W, y1: y(budgetMs), y2: y(budgetMs) }));
    const d = h.map((s, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(s.ms).toFixed(1)}`).join(' ');
    chart.append(svg('path', { class: 'spark-line', d }));
    h.forEach((s, i) => {
      const dot = svg('circle', { cx: x(i).toFixed(1), cy: y(s.ms).toFixed(1), r: 2.5, class: `spark-dot start-${s.start} lat-${s.verdict}` });
      const title = svg('title', {});
      title.textContent = `${new Date(s.at).toISOString()} ${s.kind} ${s.start} ${Math.round(s.ms)} ms (${s.verdict})`;
      dot.append(title);
      chart.append(dot);
    });
    return chart;
  }

  function imageOrNote(src, alt, cls) {
    const img = el('img', { src, alt, class: cls, decoding: 'async' });
    img.addEventListener('error', () => img.replaceWith(el('div', { class: `${cls} img-missing` }, 'no image')));
    return img;
  }

  function card(ep, m, timeScale, now) {
    const verdict = verdictOf(ep);
    const p = ep.lastProbe;
    const c = el('article', { class: `card verdict-${verdict}`, 'data-endpoint': ep.endpoint, 'data-verdict': verdict });
    c.append(
      el('header', { class: 'card-head' },
        el('h3', { class: 'ep-id' }, ep.endpoint),
        el('span', { class: `badge badge-${verdict}` }, verdict),
        stateBadge(ep),
      ),
      el('div', { class: 'ep-meta' }, `${ep.app} · ${ep.gpu}${p ? ` · ${p.kind}` : ''}`),
      el('div', { class: 'ep-when' }, 'last probe ', el('time', { datetime: p ? p.at : '', title: p ? p.at : '' }, p ? fmtAgo(p.at, now) : 'never'),
        ep.lastSuccessAt ? el('span', { class: 'ok-when' }, ` · last success ${fmtAgo(ep.lastSuccessAt, now)}`) : ''),
    );
    c.append(latencyBar(ep, m, timeScale));

    const media = el('div', { class: 'media' });
    if (ep.lastOutput) {
      const v = encodeURIComponent(ep.lastOutput.at);
      const id = encodeURIComponent(ep.endpoint);
      media.append(el('figure', { class: 'thumb-fig' }, imageOrNote(`/status/thumb/${id}?v=${v}`, `last output of ${ep.endpoint}`, 'thumb'),
        el('figcaption', {}, `${ep.lastOutput.sniffedType} · ${Math.round(ep.lastOutput.bytes / 1024)} KB`)));
      if (m && m.face) {
        const pct = p && typeof p.faceMatchPct === 'number' ? p.faceMatchPct : null;
        const pass = pct !== null && pct >= m.face.passPct;
        media.append(el('figure', { class: 'faces' },
          el('div', { class: 'face-pair' },
            imageOrNote(`/status/face/${id}/reference?v=${v}`, `reference face for ${ep.endpoint}`, 'face'),
            imageOrNote(`/status/face/${id}/output?v=${v}`, `output face of ${ep.endpoint}`, 'face'),
          ),
          el('figcaption', { class: `match ${pct === null ? '' : pass ? 'match-ok' : 'match-bad'}` },
            pct === null ? 'face match –' : `face match ${pct.toFixed(1)} % (pass ≥ ${m.face.passPct} %)`),
        ));
      }
    } else {
      media.append(el('div', { class: 'thumb img-missing' }, 'no output yet'));
    }
    c.append(media);
    c.append(el('div', { class: 'chart' }, sparkline(ep, m, timeScale)));

    const problems = el('div', { class: 'problems' });
    if (p && p.error) problems.append(el('pre', { class: 'error' }, p.error));
    if (p && p.failedChecks && p.failedChecks.length) {
      const ul = el('ul', { class: 'checks' });
      for (const f of p.failedChecks.slice(0, 5)) ul.append(el('li', {}, el('b', {}, f.check), `: ${f.message}`));
      problems.append(ul);
    }
    if (p && p.warnings && p.warnings.length) {
      const ul = el('ul', { class: 'warnings' });
      for (const w of p.warnings.slice(0, 3)) ul.append(el('li', {}, el('b', {}, w.check), `: ${w.message}`));
      problems.append(ul);
    }
    const note = maintenanceNote(ep);
    if (note) problems.append(note);
    if (ep.lastSkip) problems.append(el('div', { class: 'skip' }, `skipped ${fmtAgo(ep.lastSkip.at, now)}: ${ep.lastSkip.skip ? `${ep.lastSkip.skip.reason} — ${ep.lastSkip.skip.detail}` : ''}`));
    if (p) problems.append(el('div', { class: 'cost' }, `cost ${fmtUsd(p.costUsd)}${p.startReason ? ` · ${p.startReason}` : ''}`));
    c.append(problems);
    return c;
  }

  function renderUsage(usage) {
    const body = document.getElementById('usage-body');
    body.replaceChildren();
    if (!usage) {
      body.append(el('p', { class: 'muted', 'data-usage': 'absent' }, 'not configured (set the database URL named by usage.databaseUrlEnv)'));
      return;
    }
    const state = el('p', { class: usage.up ? 'ok' : 'bad', 'data-usage': usage.up ? 'up' : 'down' }, usage.up ? 'jobs database reachable' : 'jobs database unreachable');
    if (usage.lastError) state.append(el('span', { class: 'muted' }, ` — ${usage.lastError.reason}: ${usage.lastError.message}`));
    body.append(state);
    for (const w of usage.windows || []) {
      const row = el('div', { class: 'usage-window' }, el('div', { class: 'usage-label' }, `last ${w.window}: ${w.totals.jobs} jobs`));
      const split = el('div', { class: 'split', role: 'img', 'aria-label': `provider split over ${w.window}` });
      const legend = el('ul', { class: 'legend' });
      for (const pr of w.providers) {
        const seg = el('div', { class: `seg prov-${String(pr.provider).replace(/[^a-z0-9-]/gi, '')}`, title: `${pr.provider} ${(pr.share * 100).toFixed(1)} %` });
        seg.style.width = `${Math.max(0, Math.min(1, pr.share)) * 100}%`;
        split.append(seg);
        legend.append(el('li', {}, el('span', { class: `swatch prov-${String(pr.provider).replace(/[^a-z0-9-]/gi, '')}` }), `${pr.provider} ${(pr.share * 100).toFixed(1)} % (${pr.jobs} jobs, ${pr.failed} failed)`));
      }
      row.append(split, legend);
      body.append(row);
    }
  }

  function renderBudget(budget) {
    const body = document.getElementById('budget-body');
    body.replaceChildren();
    if (!budget || budget.length === 0) {
      body.append(el('p', { class: 'muted' }, 'no budget configured'));
      return;
    }
    for (const b of budget) {
      const used = b.limitUsd > 0 ? Math.min(1, b.spentUsd / b.limitUsd) : 1;
      const bar = el('div', { class: 'bar' }, el('div', { class: `fill ${used >= 1 ? 'lat-failed' : used > 0.8 ? 'lat-degraded' : 'lat-ok'}` }));
      bar.firstChild.style.width = `${used * 100}%`;
      body.append(el('div', { class: 'budget-row', 'data-period': b.period },
        el('div', {}, `${b.period} (${b.key}): ${fmtUsd(b.spentUsd)} of ${fmtUsd(b.limitUsd)} spent, ${fmtUsd(b.remainingUsd)} left`), bar));
    }
  }

  function renderSummary(endpoints) {
    const counts = {};
    for (const ep of endpoints) counts[verdictOf(ep)] = (counts[verdictOf(ep)] || 0) + 1;
    const s = document.getElementById('summary');
    s.replaceChildren();
    for (const v of ['fail', 'warn', 'pass', 'skipped', 'pending']) if (counts[v]) s.append(el('span', { class: `badge badge-${v}` }, `${counts[v]} ${v}`));
    // The endpoint states that need a look (the verdicts above are of the last probe only).
    const states = {};
    for (const ep of endpoints) if (ep.state) states[ep.state.state] = (states[ep.state.state] || 0) + 1;
    for (const st of ['down', 'pending', 'degraded', 'maintenance']) if (states[st]) s.append(el('span', { class: `state state-${st}`, 'data-state-count': st }, `${states[st]} ${st}`));
  }

  function render() {
    if (!lastStatus) return;
    const now = Date.parse(lastStatus.generatedAt) || Date.now();
    const timeScale = (lastStatus.target && lastStatus.target.timeScale) || 1;
    const order = { fail: 0, warn: 1, skipped: 2, pass: 3, pending: 4 };
    const eps = [...lastStatus.endpoints].sort((a, b) => order[verdictOf(a)] - order[verdictOf(b)] || a.endpoint.localeCompare(b.endpoint));
    const shown = failingOnly ? eps.filter((e) => verdictOf(e) === 'fail') : eps;
    document.getElementById('grid').replaceChildren(...shown.map((ep) => card(ep, meta.get(ep.endpoint), timeScale, now)));
    document.getElementById('empty').hidden = shown.length > 0;
    renderSummary(eps);
    renderUsage(lastStatus.usage);
    renderBudget(lastStatus.budget);
    const t = document.getElementById('updated');
    t.textContent = new Date(lastStatus.generatedAt).toLocaleTimeString();
    t.setAttribute('datetime', lastStatus.generatedAt);
    document.body.dataset.refreshes = String(refreshes);
  }

  async function getJson(url) {
    const res = await fetch(url, { credentials: 'same-origin', cache: 'no-store' });
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    return res.json();
  }

  async function refresh() {
    const errBox = document.getElementById('load-error');
    try {
      if (meta.size === 0) meta = new Map((await getJson('/status/meta.json')).endpoints.map((m) => [m.id, m]));
      lastStatus = await getJson('/api/status');
      // Only `genprobe serve` mounts the maintenance API; without it there is no banner.
      renderMaintenance(await getJson('/api/maintenance').then((r) => r.windows, () => []));
      refreshes++;
      errBox.hidden = true;
      render();
    } catch (err) {
      errBox.textContent = `could not load status: ${err && err.message ? err.message : err}`;
      errBox.hidden = false;
    } finally {
      setTimeout(refresh, refreshSec * 1000);
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('refresh-every').textContent = String(refreshSec);
    const box = document.getElementById('failing-only');
    box.checked = failingOnly;
    box.addEventListener('change', () => {
      failingOnly = box.checked;
      render();
    });
    void refresh();
  });
})();
