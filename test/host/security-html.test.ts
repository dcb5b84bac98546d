// The panel's page, built with a fake webview: a CSP that starts from `default-src 'none'`,
// scripts only by a fresh crypto nonce, no remote origin anywhere, every <script> carrying the
// nonce, and every resource mapped by asWebviewUri from under the panel's localResourceRoots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { posix } from 'node:path';
import type * as vscode from 'vscode';
import { localRoots, panelHtml, type HtmlWebview } from '../../src/host/webviewHtml';

/** Enough of vscode.Uri for the page: the path and `with`. */
class FakeUri {
  constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
  ) {}
  with(change: { scheme?: string; authority?: string; path?: string }): FakeUri {
    return new FakeUri(change.scheme ?? this.scheme, change.authority ?? this.authority, change.path ?? this.path);
  }
  toString(): string {
    return `${this.scheme}://${this.authority}${this.path}`;
  }
}
const asUri = (u: FakeUri) => u as unknown as vscode.Uri;

const EXT = new FakeUri('file', '', '/home/u/.vscode/extensions/checkpoint-coverage');

/** A webview that maps local files as VS Code does and refuses anything outside the roots. */
function fakeWebview(cspSource: string): HtmlWebview & { mapped: string[] } {
  const roots = localRoots(asUri(EXT)).map((r) => r.path + '/');
  const mapped: string[] = [];
  return {
    cspSource,
    mapped,
    asWebviewUri(local: vscode.Uri): vscode.Uri {
      const path = posix.normalize(local.path);
      assert.ok(
        roots.some((r) => path.startsWith(r)),
        `${path} is under localResourceRoots ${roots.join(', ')}`,
      );
      const out = new FakeUri('fake-webview-resource', 'ext', path);
      mapped.push(out.toString());
      return asUri(out);
    },
  };
}

function csp(html: string): Map<string, string[]> {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(m, 'the page has a CSP meta tag');
  assert.equal((html.match(/Content-Security-Policy/g) ?? []).length, 1, 'exactly one policy');
  return new Map(
    m[1]
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...sources]) => [name, sources]),
  );
}

const nonceOf = (html: string) => /script-src 'nonce-([^']+)'/.exec(html)?.[1];

test("the CSP starts from default-src 'none' and allows scripts only by nonce", () => {
  const html = panelHtml(fakeWebview('fake-webview-resource:'), asUri(EXT));
  const p = csp(html);
  assert.deepEqual(p.get('default-src'), ["'none'"]);
  const script = p.get('script-src')!;
  assert.equal(script.length, 1, `script-src is the nonce alone: ${script.join(' ')}`);
  assert.match(script[0], /^'nonce-[A-Za-z0-9+/]{24}'$/, '18 random bytes, base64');
  for (const [name, sources] of p) {
    assert.ok(!sources.includes("'unsafe-eval'"), `${name} has no unsafe-eval`);
    if (name !== 'style-src') assert.ok(!sources.includes("'unsafe-inline'"), `${name} has no unsafe-inline`);
  }
  assert.ok(
    !p.has('connect-src') && !p.has('frame-src') && !p.has('child-src'),
    'no fetch, socket or frame sources (default-src none covers them)',
  );
});

test('two loads get different nonces, and every <script> carries its page nonce', () => {
  const pages = Array.from({ length: 8 }, () => panelHtml(fakeWebview('fake-webview-resource:'), asUri(EXT)));
  const nonces = pages.map(nonceOf);
  assert.equal(new Set(nonces).size, pages.length, 'a fresh nonce per load');
  for (const html of pages) {
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.ok(scripts.length >= 1);
    for (const s of scripts) assert.ok(s.includes(` nonce="${nonceOf(html)}"`), `${s} carries the nonce`);
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no inline event handler attributes');
    assert.doesNotMatch(html, /<script\b[^>]*>[^<]+<\/script>/, 'no inline script body');
  }
});

test('no remote origin: no http:, https:, ws:, wss: or * source beside the webview’s own cspSource', () => {
  // The desktop's real cspSource is an https origin of its own; anything else would be remote.
  for (const cspSource of ['fake-webview-resource:', 'https://*.vscode-cdn.net']) {
    const p = csp(panelHtml(fakeWebview(cspSource), asUri(EXT)));
    for (const [name, sources] of p) {
      for (const s of sources) {
        if (s === cspSource) continue;
        assert.doesNotMatch(s, /^(https?|wss?):|\*/i, `${name} ${s} is not a remote source`);
        assert.ok(["'none'", "'unsafe-inline'", 'data:'].includes(s) || /^'nonce-/.test(s), `${name} ${s} is an expected source`);
      }
    }
  }
});

test('every src and href is an asWebviewUri mapping of a file under localResourceRoots', () => {
  const webview = fakeWebview('fake-webview-resource:');
  const html = panelHtml(webview, asUri(EXT));
  const refs = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(refs.sort(), [...webview.mapped].sort(), 'each reference came from asWebviewUri');
  assert.deepEqual(
    refs.sort(),
    [
      'fake-webview-resource://ext/home/u/.vscode/extensions/checkpoint-coverage/dist/webview.js',
      'fake-webview-resource://ext/home/u/.vscode/extensions/checkpoint-coverage/media/panel.css',
    ].sort(),
  );
  assert.deepEqual(
    localRoots(asUri(EXT)).map((r) => r.path),
    ['/home/u/.vscode/extensions/checkpoint-coverage/dist', '/home/u/.vscode/extensions/checkpoint-coverage/media'],
    'the roots are the bundles and media, not the extension or the workspace',
  );
});
