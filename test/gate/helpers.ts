/** Helpers for the gate's end-to-end tests: spawn the real CLI, check XML well-formedness. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/genprobe.mjs', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/genprobe.mjs …` from the project root; kills it (and fails) after `timeoutMs`. */
export function genprobe(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', GITHUB_STEP_SUMMARY: '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`genprobe ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 240_000} ms\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 240_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A small XML well-formedness check (no DTDs): one root element, tags properly nested and closed,
 * attributes quoted and unique, no raw `<` or `&` outside markup except valid entity references.
 * Returns the problem, or null when the document is well-formed.
 */
export function xmlProblem(xml: string): string | null {
  let i = 0;
  const stack: string[] = [];
  let roots = 0;
  const entity = /^&(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/;
  const name = /^[A-Za-z_:][\w.:-]*/;
  const checkText = (text: string, at: number): string | null => {
    for (let j = 0; j < text.length; j++) {
      if (text[j] === '<') return `raw "<" at ${at + j}`;
      if (text[j] === '&' && !entity.test(text.slice(j))) return `bad entity reference at ${at + j}`;
    }
    return null;
  };
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) return 'unterminated XML declaration';
    i = end + 2;
  }
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (stack.length === 0 && text.trim()) return `text outside the root element at ${i}`;
    const bad = checkText(text, i);
    if (bad) return bad;
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) return `unterminated comment at ${lt}`;
      i = end + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt);
      if (end < 0 || stack.length === 0) return `bad CDATA at ${lt}`;
      i = end + 3;
      continue;
    }
    const gt = xml.indexOf('>', lt);
    if (gt < 0) return `unterminated tag at ${lt}`;
    const tag = xml.slice(lt + 1, gt);
    if (tag.startsWith('/')) {
      const closing = tag.slice(1).trim();
      const open = stack.pop();
      if (open !== closing) return `</${closing}> closes <${open ?? 'nothing'}> at ${lt}`;
    } else {
      const selfClosing = tag.endsWith('/');
      const body = selfClosing ? tag.slice(0, -1) : tag;
      const m = name.exec(body);
      if (!m) return `bad tag name at ${lt}`;
      let rest = body.slice(m[0].length);
      const seen = new Set<string>();
      for (;;) {
        const attr = /^\s+([A-Za-z_:][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(rest);
        if (!attr) break;
        if (seen.has(attr[1])) return `duplicate attribute ${attr[1]} at ${lt}`;
        seen.add(attr[1]);
        const value = attr[3] ?? attr[4] ?? '';
        const badValue = checkText(value, lt);
        if (badValue) return `attribute ${attr[1]}: ${badValue}`;
        rest = rest.slice(attr[0].length);
      }
      if (rest.trim()) return `malformed attributes in <${m[0]}> at ${lt}: ${JSON.stringify(rest.slice(0, 40))}`;
      if (stack.length === 0) roots++;
      if (roots > 1) return `second root element <${m[0]}> at ${lt}`;
      if (!selfClosing) stack.push(m[0]);
    }
    i = gt + 1;
  }
  if (stack.length) return `unclosed <${stack[stack.length - 1]}>`;
  if (roots !== 1) return 'no root element';
  return null;
}
