/**
 * The HTML shell both pages of `genprobe serve` share (the status page at `/`, the review matrix at
 * `/review`): one head — charset, viewport, title, the page's stylesheet and deferred script — around
 * a body read from the page's own `.body.html`, and the one strict Content-Security-Policy they are
 * served under. The shell carries no data: each page's script fetches its JSON and builds the DOM
 * with textContent/setAttribute only, and the policy forbids inline script and style and any origin
 * but this one, so even a missed escape could not run.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface PageShell {
  /** The document title. */
  title: string;
  /** Path the page's stylesheet is served at. */
  stylesheet: string;
  /** Path the page's script is served at (loaded with `defer`). */
  script: string;
  /** The page's `<body>` content: a file holding only what goes inside `<body>`. */
  body: URL;
}

/** The whole document for one page, as served. */
export function pageHtml(shell: PageShell): Buffer {
  const body = readFileSync(fileURLToPath(shell.body), 'utf8');
  return Buffer.from(
    [
      '<!doctype html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      `<title>${shell.title}</title>`,
      `<link rel="stylesheet" href="${shell.stylesheet}">`,
      `<script src="${shell.script}" defer></script>`,
      '</head>',
      '<body>',
      body.trimEnd(),
      '</body>',
      '</html>',
      '',
    ].join('\n'),
  );
}

/** The policy the pages are served under; `media` adds `media-src 'self'` for a page that plays video (the review preview). */
export function pageCsp(opts: { media?: boolean } = {}): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    ...(opts.media ? ["media-src 'self'"] : []),
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
