// The RunEngine over src/run: the extension's settings become run options, and the session's
// OpenedRun is a Run (opened the way the CLI opens one) with a RunReporter that keeps its
// tournament across reports, plus the inspect view's per-sample data. No vscode here either.
import { relative } from 'node:path';
import { modelLabel } from '../core/layout';
import { formatProblem } from '../core/problems';
import type { ReportCheckpointInput } from '../core/report';
import { storeFileName, type ScoreRecord } from '../core/store';
import type { CheckpointEntry } from '../core/types';
import { openRun, type Run } from '../run/openRun';
import { fromSettings } from '../run/options';
import { RunReporter } from '../run/report';
import { ScoringWorkerClient } from '../run/workerClient';
import type { CheckpointInspect, ScoringElsewhere } from '../shared/protocol';
import type { EngineEvents, JobProgress, OpenOptions, OpenedRun, RunEngine, RunReport, ScanResult } from './engine';
import { buildInspectData } from './inspectData';
import type { Settings } from '../core/settings';

export interface EngineOptions {
  /** Lets coverage.json and settings name files outside the run (trusted workspaces only). */
  isTrusted: () => boolean;
  log: (level: 'info' | 'warning', message: string) => void;
  /** The worker bundle (dist/worker.js beside dist/extension.js). */
  workerScript?: string;
}

/**
 * The engine's runs share one scoring worker: several runs scoring at once in one window would
 * fight for the cores (or the GPU) and load the model runtime once each. The worker starts on the
 * first job, takes jobs one at a time (whose job is next: scoringTurns.ts), and keeps the eval set
 * loaded while the runs share it. It ends when the last open run closes (as a run's own worker
 * did), and for good with dispose().
 */
export function createEngine(o: EngineOptions): RunEngine & { dispose(): Promise<void> } {
  // The worker shares the machine with the editor: onnxruntime's threads must not spin (workerClient.ts).
  const client = new ScoringWorkerClient({ workerScript: o.workerScript, log: o.log, spinning: false });
  let open = 0;
  const closed = async () => {
    if (--open === 0) await client.stop();
  };
  return {
    dispose: () => client.dispose(),
    async open(root: string, settings: Settings, events: EngineEvents = {}, options: OpenOptions = {}): Promise<OpenedRun> {
      const run = await openRun(root, {
        ...fromSettings(settings),
        settleMs: options.settleMs,
        allowOutside: o.isTrusted(),
        log: o.log,
        client,
        onWorkerCrash: (n) =>
          events.onWorkerCrash?.({ checkpointPath: n.checkpointPath, message: n.message, retrying: n.retrying, tellUser: n.tellUser }),
      });
      if (run.evalSet.samples.length === 0) {
        await run.dispose();
        const first = run.evalSet.problems[0];
        throw new Error(`${run.config.eval}: no usable evaluation sample${first ? ` (${formatProblem(first)})` : ''}`);
      }
      open++;
      return new EngineRun(run, closed);
    },
  };
}

class EngineRun implements OpenedRun {
  readonly root: string;
  readonly evalPaths: string[];
  readonly storeDir: string;
  readonly storePath: string;
  readonly tokensPerStep: number | null;
  readonly nGrid: number[];
  readonly selectionN: number;
  readonly problems: string[];
  readonly evalSetHash: string;
  private readonly records = new Map<string, ScoreRecord>();
  /** Scan entries are new objects when a checkpoint changes, so a name kept per object stays right. */
  private readonly fileNames = new WeakMap<CheckpointEntry, string>();
  private readonly reporter: RunReporter;

  constructor(
    private readonly run: Run,
    private readonly closed: () => Promise<void>,
  ) {
    const { root, config, reference } = run;
    this.root = root;
    const rel = (p: string) => relative(root, p).replace(/\\/g, '/');
    this.evalPaths = [config.eval, config.tokenizer, typeof reference === 'object' ? reference.model : undefined]
      .filter((p): p is string => !!p)
      .map(rel);
    this.storeDir = rel(config.store);
    this.storePath = config.store;
    this.tokensPerStep = config.tokensPerStep ?? null;
    this.nGrid = config.nGrid;
    this.selectionN = config.selectionN;
    this.problems = run.evalSet.problems.map(formatProblem);
    this.evalSetHash = run.evalSet.hash;
    this.reporter = new RunReporter(run);
  }

  async scan(): Promise<ScanResult> {
    const layout = await this.run.scan();
    return { checkpoints: layout.checkpoints, pending: layout.pending, problems: layout.problems.map(formatProblem) };
  }

  async hasScores(entry: CheckpointEntry): Promise<boolean> {
    const found = await this.run.scorer.lookup(entry);
    if (found.status === 'ok') this.records.set(entry.path, found.record);
    return found.status === 'ok';
  }

  async storedNow(entries: readonly CheckpointEntry[], files?: ReadonlySet<string>): Promise<string[]> {
    const out: string[] = [];
    for (const entry of entries) {
      if (files && !files.has(await this.fileName(entry))) continue;
      if (await this.hasScores(entry)) out.push(entry.path);
    }
    return out;
  }

  elsewhere(): Promise<ReadonlyMap<string, ScoringElsewhere>> {
    return this.run.elsewhere();
  }

  /** The store file a checkpoint's scores go to (its key hashes the files: kept per entry). */
  private async fileName(entry: CheckpointEntry): Promise<string> {
    let name = this.fileNames.get(entry);
    if (name === undefined) {
      name = storeFileName(await this.run.scorer.key(entry));
      this.fileNames.set(entry, name);
    }
    return name;
  }

  async score(entry: CheckpointEntry, onProgress: (p: JobProgress) => void, signal: AbortSignal): Promise<{ provider: string | null }> {
    // A ScoreError naming the checkpoint when it fails; a worker that died under it was already
    // replaced and the job run again on smaller budgets by the worker client, so the session fails it.
    const record = await this.run.scorer.score(
      entry,
      (p) =>
        onProgress({ samplesDone: p.samplesDone, samplesTotal: p.samplesTotal, tokensPerSecond: p.tokensPerSecond, provider: p.provider }),
      signal,
    );
    this.records.set(entry.path, record);
    return { provider: record.info.provider };
  }

  async report(entries: readonly CheckpointEntry[]): Promise<RunReport | null> {
    const scored = entries.filter((e) => this.records.has(e.path)).map((entry) => ({ entry, record: this.records.get(entry.path)! }));
    return (await this.reporter.build(scored)).report;
  }

  acrossInput(report: RunReport): { checkpoints: ReportCheckpointInput[]; r: Float64Array | null } | null {
    const built = this.reporter.latest;
    return built && built.report === report ? { checkpoints: built.checkpoints, r: built.r } : null;
  }

  async inspect(entries: readonly CheckpointEntry[], path: string): Promise<CheckpointInspect> {
    if (!this.reporter.latest) await this.report(entries);
    const built = this.reporter.latest;
    const record = this.records.get(path);
    if (!built || !record) throw new Error(`${path} is not scored yet; it has moved to the front of the queue`);
    const t = this.reporter.currentTournament;
    const rivalShares = t?.has(path)
      ? t
          .ids()
          .filter((j) => j !== path)
          .map((j) => ({ step: entries.find((e) => e.path === j)?.step ?? NaN, path: j, share: t.share(j, path) }))
      : null;
    const tok = this.run.tokenizer;
    const entry = entries.find((e) => e.path === path);
    return buildInspectData({
      report: built.report,
      path,
      model: entry ? modelLabel(entry) : 'onnx',
      scores: record.scores,
      r: built.r,
      samples: this.run.evalSet.samples,
      rivalShares,
      tokenText: tok ? (id) => tok.decode([id]) : undefined,
    });
  }

  async invalidate(entry: CheckpointEntry): Promise<void> {
    this.records.delete(entry.path);
    await this.run.scorer.forget(entry);
  }

  private disposed = false;

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.run.dispose();
    await this.closed();
  }
}
