// The panel's HTML shell: a strict CSP, one nonce'd script, resources only from the
// extension's dist/ and media/ folders through asWebviewUri. No remote content at all.
// vscode is imported for its types only, so the security tests build this page with a fake
// webview and check the policy without a VS Code.
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type * as vscode from 'vscode';

/** What the page needs of a webview (vscode.Webview has both). */
export type HtmlWebview = Pick<vscode.Webview, 'cspSource' | 'asWebviewUri'>;

/** `Uri.joinPath` through the instance's own `with`, so no vscode module is needed at run time. */
function under(base: vscode.Uri, ...parts: string[]): vscode.Uri {
  return base.with({ path: posix.join(base.path, ...parts) });
}

/** The only folders the webview may load from: the bundles and the stylesheet/icons. */
export function localRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [under(extensionUri, 'dist'), under(extensionUri, 'media')];
}

export function panelHtml(webview: HtmlWebview, extensionUri: vscode.Uri): string {
  // A fresh nonce per load: a script injected into one page cannot reuse a nonce it learnt.
  const nonce = randomBytes(18).toString('base64');
  const script = webview.asWebviewUri(under(extensionUri, 'dist', 'webview.js'));
  const css = webview.asWebviewUri(under(extensionUri, 'media', 'panel.css'));
  // style-src needs 'unsafe-inline': chart.js sizes its canvas through the style attribute and
  // the toolkit's components adopt generated styles. Scripts stay nonce-only.
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css}">
<title>Checkpoint Coverage</title>
</head>
<body>
<main id="app" data-testid="app"><p data-testid="loading">Loading…</p></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
