// Exporting from the extension: Export Results… (CSV, JSON or the panel's charts as PNG), the
// panel's Export and Save buttons. Each asks where to write, beside the run by default, and
// writes only there; the figures are formatted by exportFigures.ts.
import * as vscode from 'vscode';
import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ExportFormat, PanelSnapshot } from '../shared/protocol';
import { errorText } from '../shared/rpc';
import { figuresCsv, figuresJson } from './exportFigures';
import type { Log } from './log';

/** What an export reads: the open runs, their snapshot, the panel's chart images. */
export interface ExportSource {
  roots: string[];
  snapshot(): PanelSnapshot;
  /** The panel's charts as PNG data URLs (the panel is shown first if it is closed). */
  chartImages(): Promise<{ name: string; dataUrl: string }[]>;
  log: Log;
}

/** Export Results…: asks for the format, then where. */
export async function exportResults(src: ExportSource): Promise<void> {
  const pick = await vscode.window.showQuickPick(
    [
      { label: 'CSV', format: 'csv' as const, description: "every checkpoint's figures" },
      { label: 'JSON', format: 'json' as const, description: 'figures, suggestion and reference' },
      { label: 'PNG', format: 'png' as const, description: 'each chart of the panel' },
    ],
    { title: 'Export Results' },
  );
  if (!pick) return;
  if (pick.format !== 'png') {
    await exportFigures(src, pick.format);
    return;
  }
  try {
    const images = await src.chartImages();
    const folder = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Save Charts Here' });
    if (!folder?.[0]) return;
    for (const img of images) await writeDataUrl(src, vscode.Uri.joinPath(folder[0], `${img.name}.png`), img.dataUrl);
    void vscode.window.showInformationMessage(`Saved ${images.length} charts to ${folder[0].fsPath}.`);
  } catch (err) {
    void src.log.tell('error', `Could not export the charts: ${errorText(err)}`);
  }
}

/** Every checkpoint's figures as CSV or JSON; the path written, or null when nothing was. */
export async function exportFigures(src: ExportSource, format: ExportFormat): Promise<string | null> {
  const snap = src.snapshot();
  if (snap.runs.length === 0) return null;
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(`${exportBase(src.roots)}-coverage.${format}`),
    filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    title: 'Export figures',
  });
  if (!target) return null;
  await writeFile(target.fsPath, format === 'csv' ? figuresCsv(snap) : figuresJson(snap), 'utf8');
  src.log.info('export', `wrote ${target.fsPath}`);
  return target.fsPath;
}

/** One chart as PNG; the path written, or null when the user cancelled. */
export async function saveChartImage(src: ExportSource, name: string, dataUrl: string): Promise<string | null> {
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(`${exportBase(src.roots)}-${name}.png`),
    filters: { PNG: ['png'] },
    title: 'Save chart',
  });
  if (!target) return null;
  await writeDataUrl(src, target, dataUrl);
  return target.fsPath;
}

/** Where exports go by default: beside the run, or with several runs beside their common folder. */
function exportBase(roots: string[]): string {
  if (roots.length <= 1) return roots[0] ?? '';
  let base = dirname(roots[0]);
  while (!roots.every((r) => r.startsWith(base.endsWith('/') ? base : `${base}/`)) && dirname(base) !== base) base = dirname(base);
  return base;
}

async function writeDataUrl(src: ExportSource, target: vscode.Uri, dataUrl: string): Promise<void> {
  const m = /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(dataUrl);
  if (!m) throw new Error('the chart image is not a PNG data URL');
  await writeFile(target.fsPath, Buffer.from(m[1], 'base64'));
  src.log.info('export', `wrote ${target.fsPath}`);
}
