// The one HTML page both webviews load: a strict Content-Security-Policy with a per-load nonce, the bundle's
// script and style, and nothing from the log (data arrives later by postMessage and is rendered as text).
import { randomBytes } from 'node:crypto';

export type WebviewKind = 'query' | 'summary';

export interface WebviewPage {
  kind: WebviewKind;
  title: string;
  /** `webview.cspSource`. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce?: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64url');
}

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    "connect-src 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export function renderWebviewHtml(page: WebviewPage): string {
  const nonce = page.nonce ?? makeNonce();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(page.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${attr(nonce)}" href="${attr(page.styleUri)}">
<title>${attr(page.title)}</title>
</head>
<body data-view="${attr(page.kind)}">
<div id="app"></div>
<script nonce="${attr(nonce)}" src="${attr(page.scriptUri)}"></script>
</body>
</html>`;
}
