// genprobe review matrix. Builds every node with createElement + textContent/setAttribute: what an
// endpoint said (check messages) is untrusted and never reaches innerHTML.
'use strict';

(() => {
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null && v !== false) node.setAttribute(k, String(v));
    for (const c of children) if (c !== undefined && c !== null && c !== false) node.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    return node;
  }

  const enc = encodeURIComponent;
  const VIDEO = new Set(['webp-animated', 'mp4']);
  const IMAGE = new Set(['png', 'jpeg']);

  function notice(text) {
    const n = document.getElementById('notice');
    n.textContent = text;
    n.hidden = !text;
  }

  async function post(url, body) {
    const res = await fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(json.issues ? json.issues.join('; ') : json.error || `HTTP ${res.status}`);
    return json;
  }

  function preview(c, endpoint) {
    const body = document.getElementById('preview-body');
    const src = `/review/output/${enc(c.run)}/${enc(endpoint)}`;
    body.replaceChildren(c.sniffedType === 'mp4' ? el('video', { src, controls: true, autoplay: true, muted: true, loop: true, 'data-preview': 'video' }) : el('img', { src, alt: `output of ${endpoint}`, 'data-preview': 'image' }));
    document.getElementById('preview').showModal();
  }

  function acceptForm(c, endpoint) {
    const reason = el('input', { type: 'text', name: 'reason', placeholder: 'why is this accepted? (10+ characters)', 'aria-label': `reason to accept ${endpoint}` });
    const expires = el('input', { type: 'date', name: 'expires', 'aria-label': 'waiver expires' });
    const button = el('button', { type: 'button', class: 'accept' }, 'accept');
    button.addEventListener('click', async () => {
      try {
        const r = await post('/api/review/accept', { run: c.run, endpoint, reason: reason.value, ...(expires.value ? { expires: expires.value } : {}) });
        notice(`waived in ${r.file}: ${r.added.map((w) => `${w.endpoint} / ${w.check}${w.finding ? ` / ${w.finding.code}` : ''} until ${w.expires}`).join(', ') || 'already waived'}`);
        await load();
      } catch (err) {
        notice(`accept failed: ${err.message}`);
      }
    });
    return [reason, expires, button];
  }

  function goldenButton(c, endpoint) {
    const button = el('button', { type: 'button', class: 'golden' }, 'make golden');
    button.addEventListener('click', async () => {
      try {
        const r = await post('/api/review/golden', { run: c.run, endpoint });
        notice(`golden image for ${endpoint} is now this output (${r.golden})`);
      } catch (err) {
        notice(`make golden failed: ${err.message}`);
      }
    });
    return button;
  }

  function cell(c, endpoint) {
    if (!c) return el('td', { class: 'cell empty-cell' }, '–');
    const td = el('td', { class: `cell verdict-${c.verdict}`, 'data-endpoint': endpoint, 'data-run': c.run, 'data-verdict': c.verdict, 'data-kind': c.sniffedType || 'none' });
    const thumbs = el('div', { class: 'thumbs' });
    for (let n = 0; n < c.thumbs; n++) {
      const label = VIDEO.has(c.sniffedType) ? ['first', 'middle', 'last'][n] : 'output';
      const img = el('img', { src: `/review/thumb/${enc(c.run)}/${enc(endpoint)}/${n}.webp`, alt: `${endpoint} ${label} frame`, loading: 'lazy', decoding: 'async', width: 80, height: 80, 'data-frame': label });
      img.addEventListener('click', () => preview(c, endpoint));
      thumbs.append(img);
    }
    td.append(thumbs, el('div', {}, el('span', { class: 'verdict' }, c.verdict), c.latencyMs !== null ? ` · ${(c.latencyMs / 1000).toFixed(2)} s` : '', c.facePct !== null ? ` · face ${c.facePct} %` : '', c.waived ? ` · ${c.waived} waived` : ''));
    if (c.failing.length) td.append(el('ul', { class: 'failing' }, ...c.failing.map((f) => el('li', {}, el('b', {}, f.check), f.finding ? ` (${f.finding})` : '', `: ${f.message}`))));
    const actions = el('div', { class: 'actions' });
    if (c.verdict === 'fail' && c.failing.length) actions.append(...acceptForm(c, endpoint));
    if (c.verdict !== 'fail' && IMAGE.has(c.sniffedType)) actions.append(goldenButton(c, endpoint));
    if (actions.childNodes.length) td.append(actions);
    return td;
  }

  function render(m) {
    const table = document.getElementById('matrix');
    table.tHead.replaceChildren(el('tr', {}, el('th', {}, 'endpoint'), ...m.columns.map((col) => el('th', { 'data-run': col.run, title: `${col.target} · ${col.savedAt}` }, col.label))));
    table.tBodies[0].replaceChildren(...m.rows.map((r) => el('tr', { 'data-endpoint': r.endpoint }, el('th', { class: 'ep' }, r.endpoint, el('div', { class: 'sub' }, r.app)), ...r.cells.map((c) => cell(c, r.endpoint)))));
    document.getElementById('empty').hidden = m.columns.length > 0;
    const cells = m.rows.flatMap((r) => r.cells).filter(Boolean);
    const by = (v) => cells.filter((c) => c.verdict === v).length;
    document.getElementById('counts').textContent = `${m.rows.length} endpoints × ${m.columns.length} runs · ${by('fail')} failing · ${by('waived')} waived · ${by('pass') + by('warn')} passing`;
    document.body.dataset.cells = String(cells.length);
  }

  async function load() {
    performance.mark('review-fetch');
    const res = await fetch('/api/review/matrix', { credentials: 'same-origin', cache: 'no-store' });
    if (!res.ok) return notice(`could not load the matrix: HTTP ${res.status}`);
    const matrix = await res.json();
    performance.mark('review-fetched');
    render(matrix);
    performance.mark('review-rendered');
    document.body.dataset.loaded = 'true';
  }

  document.addEventListener('DOMContentLoaded', () => void load());
})();
