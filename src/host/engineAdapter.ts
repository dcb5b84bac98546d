// The RunEngine over the real core and scoring modules: config and eval set from the run,
// layout scans, the worker client through RunScorer, the report with an incremental
// tournament, and the inspect view's per-sample data. No vscode here either.
import { relative, resolve } from 'node:path';
import { chooseReference, loadConfig, type RunConfig } from '../core/runConfig';
import { loadEvalSet, type EvalSet } from '../core/evalset';
import { formatProblem } from '../core/problems';
import { HashCache } from '../core/hashcache';
import { referenceEntry, scanRun } from '../core/layout';
import { fsErrorCode } from '../core/paths';
import type { ReferenceSetting } from '../core/metrics';
import { buildReportWithReference } from '../core/report';
import { unlink } from 'node:fs/promises';
import { storeFileName, type ScoreRecord } from '../core/store';
import { loadTokenizer, type TextTokenizer } from '../core/tokenizer';
import { CoverageTournament } from '../core/tournament';
import type { CheckpointEntry } from '../core/types';
import { checkpointReason } from '../scoring/failureText';
import { RunScorer } from '../scoring/runScorer';
import { ScoreJobError, ScoringWorkerClient } from '../scoring/workerClient';
import type { InspectData } from '../shared/protocol';
import { ScoreFailure, type EngineEvents, type JobProgress, type OpenedRun, type RunEngine, type RunReport, type ScanResult } from './engine';
import { buildInspectData } from './inspectData';
import type { Settings } from './settings';

export interface EngineOptions {
  /** Lets coverage.json and settings name files outside the run (trusted workspaces only). */
  isTrusted: () => boolean;
  log: (level: 'info' | 'warning', message: string) => void;
  /** The worker bundle (dist/worker.js beside dist/extension.js). */
  workerScript?: string;
}

export function createEngine(o: EngineOptions): RunEngine {
  return { open: (root, settings, events) => openRun(root, settings, o, events ?? {}) };
}


async function openRun(root: string, settings: Settings, o: EngineOptions, events: EngineEvents): Promise<OpenedRun> {
  const config = await loadConfig(root, { allowOutside: o.isTrusted() });
  applySettings(config, settings, root);
  const tokenizer = config.tokenizer ? await loadTokenizer(config.tokenizer) : undefined;
  const evalSet = await loadEvalSet(config.eval, { tokenizer });
  if (evalSet.samples.length === 0) throw new Error(`${config.eval}: no usable evaluation sample${evalSet.problems[0] ? ` (${formatProblem(evalSet.problems[0])})` : ''}`);
  // The run's own hashes.json, shared with the CLI: reopening a run does not rehash every model.
  const hashCache = await HashCache.forStore(config.store);
  return new EngineRun(root, config, evalSet, tokenizer, hashCache, settings, o, events);
}

/** Settings win over coverage.json where they are set (empty settings leave the run's values). */
function applySettings(config: RunConfig, s: Settings, root: string): void {
  const abs = (p: string) => resolve(root, p);
  if (s.evalSet) config.eval = abs(s.evalSet);
  if (s.storeLocation) config.store = abs(s.storeLocation);
  if (s.nGrid.length) config.nGrid = s.nGrid;
  if (s.selectionN !== null) config.selectionN = s.selectionN;
  if (s.reference === 'generator' || s.reference === 'point-mass' || s.reference === 'tournament') config.reference = s.reference;
  else if (s.reference) config.reference = { model: abs(s.reference) };
}

class EngineRun implements OpenedRun {
  readonly evalPaths: string[];
  readonly storeDir: string;
  readonly tokensPerStep: number | null;
  readonly nGrid: number[];
  readonly selectionN: number;
  readonly problems: string[];
  private readonly client: ScoringWorkerClient;
  private readonly scorer: RunScorer;
  private readonly reference: ReferenceSetting;
  private readonly records = new Map<string, ScoreRecord>();
  private tournament: CoverageTournament | null = null;
  /** The latest report and the r(i) its coverage used (the inspect view's log-ratios need the same). */
  private last: { report: RunReport; r: Float64Array | null } | null = null;
  private refRecord: ScoreRecord | null = null;
  private readonly log: EngineOptions['log'];

  constructor(readonly root: string, private readonly config: RunConfig, private readonly evalSet: EvalSet, private readonly tokenizer: TextTokenizer | undefined, private readonly hashCache: HashCache, settings: Settings, o: EngineOptions, events: EngineEvents) {
    this.log = o.log;
    const rel = (p: string) => relative(root, p).replace(/\\/g, '/');
    this.reference = chooseReference(config, evalSet.samples);
    this.evalPaths = [config.eval, config.tokenizer, typeof this.reference === 'object' ? this.reference.model : undefined].filter((p): p is string => !!p).map(rel);
    this.storeDir = rel(config.store);
    this.tokensPerStep = config.tokensPerStep ?? null;
    this.nGrid = config.nGrid;
    this.selectionN = config.selectionN;
    this.problems = evalSet.problems.map(formatProblem);
    this.client = new ScoringWorkerClient({
      workerScript: o.workerScript, log: o.log,
      onCrash: (n) => events.onWorkerCrash?.({ checkpointPath: n.checkpointPath, message: n.message, retrying: n.retrying, tellUser: n.tellUser }),
    });
    this.scorer = new RunScorer({
      runRoot: root, evalSet, storeDir: config.store, hashCache: this.hashCache, client: this.client, log: o.log,
      provider: settings.executionProvider, tokenBudget: settings.tokenBudget, threads: settings.threads,
    });
  }

  async scan(): Promise<ScanResult> {
    const layout = await scanRun(this.root, { storeDir: this.config.store, hashCache: this.hashCache });
    return { checkpoints: layout.checkpoints, pending: layout.pending, problems: layout.problems.map(formatProblem) };
  }

  async hasScores(entry: CheckpointEntry): Promise<boolean> {
    const found = await this.scorer.lookup(entry);
    if (found.status === 'ok') this.records.set(entry.path, found.record);
    return found.status === 'ok';
  }

  async score(entry: CheckpointEntry, onProgress: (p: JobProgress) => void, signal: AbortSignal): Promise<{ provider: string | null }> {
    try {
      const record = await this.scorer.score(entry, (p) => onProgress({ samplesDone: p.samplesDone, samplesTotal: p.samplesTotal, tokensPerSecond: p.tokensPerSecond, provider: p.provider }), signal);
      this.records.set(entry.path, record);
      return { provider: record.info.provider };
    } catch (err) {
      // A 'crash' here has already been retried once by the worker client; the session fails it.
      // The reason goes beside the checkpoint's row and after its path in the log: not named again.
      const reason = checkpointReason((err as Error).message, entry);
      throw new ScoreFailure(err instanceof ScoreJobError ? err.kind : 'error', reason);
    }
  }

  async report(entries: readonly CheckpointEntry[]): Promise<RunReport | null> {
    const scored = entries.filter((e) => this.records.has(e.path));
    const n = this.evalSet.samples.length;
    // Keep the tournament across reports: a new checkpoint adds one row and one column.
    const t = this.tournament && this.tournament.selectionN === this.selectionN ? this.tournament : CoverageTournament.build(n, [], this.selectionN);
    const want = new Set(scored.map((e) => e.path));
    for (const id of t.ids()) if (!want.has(id)) t.remove(id);
    for (const e of scored) {
      const s = this.records.get(e.path)!.scores;
      const te = { id: e.path, step: e.step, seqLogprob: s.seqLogprob, tokenCounts: s.tokenCounts };
      if (!t.has(e.path)) t.add(te);
    }
    this.tournament = t;
    const referenceScores = typeof this.reference === 'object' ? (await this.referenceScores())?.scores : undefined;
    this.last = buildReportWithReference({
      checkpoints: scored.map((e) => ({ step: e.step, path: e.path, scores: this.records.get(e.path)!.scores })),
      reference: this.reference,
      refLogprobs: this.evalSet.samples.map((s) => s.refLogprob),
      referenceScores,
      nGrid: this.nGrid,
      selectionN: this.selectionN,
      evalSamples: n,
      tournament: t,
    });
    return this.last.report;
  }

  async inspect(entries: readonly CheckpointEntry[], path: string): Promise<InspectData> {
    if (!this.last) await this.report(entries);
    const record = this.records.get(path);
    if (!this.last || !record) throw new Error(`${path} is not scored yet; it has moved to the front of the queue`);
    const { report, r } = this.last;
    const t = this.tournament;
    const rivalShares = t?.has(path)
      ? t.ids().filter((j) => j !== path).map((j) => ({ step: entries.find((e) => e.path === j)?.step ?? NaN, path: j, share: t.share(j, path) }))
      : null;
    const tok = this.tokenizer;
    return buildInspectData({ report, path, scores: record.scores, r, samples: this.evalSet.samples, rivalShares, tokenText: tok ? (id) => tok.decode([id]) : undefined });
  }

  async invalidate(entry: CheckpointEntry): Promise<void> {
    this.records.delete(entry.path);
    this.tournament?.remove(entry.path);
    const file = `${this.scorer.dir}/${storeFileName(await this.scorer.key(entry))}`;
    // Nothing stored is fine; a file that stays would be read back as the 'new' scores.
    await unlink(file).catch((e: unknown) => {
      if (fsErrorCode(e) !== 'ENOENT') throw new Error(`cannot remove the stored scores ${file} (${fsErrorCode(e)})`);
    });
  }

  /**
   * Ends the worker (a job in flight is cancelled, nothing half is stored); resolves once it is
   * gone. Never rejects: callers close runs while the extension shuts down, where a rejection
   * would go unhandled, so each failure is logged here.
   */
  async dispose(): Promise<void> {
    const logged = (what: string) => (e: unknown) => this.log('warning', `${what}: ${e instanceof Error ? e.message : String(e)}`);
    await Promise.all([
      this.client.dispose().catch(logged('cannot stop the scoring worker')),
      this.scorer.dispose().catch(logged('cannot save the hash cache')),
    ]);
  }

  /** The reference model is scored by the same engine and stored like a checkpoint. */
  private async referenceScores(): Promise<ScoreRecord | null> {
    if (this.refRecord || typeof this.reference !== 'object') return this.refRecord;
    const entry = await referenceEntry(this.root, this.reference.model);
    // A reference that is one of the run's checkpoints (the final one, say) has its scores already.
    const own = this.records.get(entry.path);
    const found = own ? null : await this.scorer.lookup(entry);
    this.refRecord = own ?? (found?.status === 'ok' ? found.record : await this.scorer.score(entry));
    return this.refRecord;
  }
}
