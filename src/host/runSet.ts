// The runs open in the window, which the panel shows side by side: each a RunSession with its
// watchers, all scoring through the engine's one worker and taking turns at it (scoringTurns.ts);
// with two or more, the comparison across them (one tournament over every run's checkpoints,
// src/run/acrossReporter.ts), rebuilt as their reports change; and the PanelSnapshot the panel,
// tree and status bar show. No vscode here: the controller asks the user which folders, this
// does the rest, and the tests drive it with fake engines.
import type { AcrossRunInput, CoverageReport } from '../core/report';
import type { Settings } from '../core/settings';
import { AcrossReporter } from '../run/acrossReporter';
import type { InspectData, PanelSnapshot, RunSnapshot } from '../shared/protocol';
import { Disposable, DisposableStore, toDisposable, type DisposableLike } from './disposable';
import type { RunEngine } from './engine';
import { inspectAcross } from './inspectAcross';
import { freeColour, panelSnapshot, runLabels, type AcrossBuilt } from './panelSnapshot';
import { ReportScheduler } from './reportScheduler';
import type { SessionDeps } from './engine';
import { RunSession } from './runSession';
import { ScoringTurns } from './scoringTurns';
import type { SessionLog } from './sessionLog';
import { Throttle } from './throttle';

export interface RunSetDeps {
  engine: RunEngine;
  log: SessionLog;
  /** The settings a run opens with (read per folder: they may differ by workspace folder). */
  settings: (root: string) => Settings;
  isTrusted: () => boolean;
  notifyUser: (message: string) => void;
  /** Starts watching an opened run's folder and store; what it returns is disposed when the run leaves. */
  watch: (session: RunSession) => Promise<DisposableLike | undefined>;
  /** Session timings (tests shorten them). */
  timings?: Pick<SessionDeps, 'settleMs' | 'reportIntervalMs' | 'publishIntervalMs' | 'claimPollMs'>;
}

/** A run to open, with the colour slot it had (a reload restores it). */
export interface RunRequest {
  root: string;
  colour?: number;
}

interface OpenEntry {
  session: RunSession;
  colour: number;
  /** Its watchers and listener: disposed with it. */
  scope: DisposableStore;
  snap: RunSnapshot;
  /** The report the last comparison was asked for: a new one means build again. */
  report: CoverageReport | null;
}

export class RunSet extends Disposable {
  /** In the order the runs were added: the panel's order. */
  private readonly runs = new Map<string, OpenEntry>();
  private readonly turns = new ScoringTurns();
  private readonly acrossReporter = new AcrossReporter();
  private readonly across: ReportScheduler<AcrossBuilt>;
  private readonly listeners = new Set<(s: PanelSnapshot) => void>();
  private readonly publisher: Throttle;
  private version = 0;

  constructor(private readonly deps: RunSetDeps) {
    super();
    this.across = this._register(
      new ReportScheduler<AcrossBuilt>({
        build: async () => this.buildAcross(),
        changed: () => this.changed(),
        logError: (m) => deps.log.error('across', m),
        minIntervalMs: deps.timings?.reportIntervalMs ?? 1000,
      }),
    );
    // The panel snapshot (every row of every run) feeds the tree, the status bar and the panel; 4 a
    // second is as often as anyone reads a progress figure.
    this.publisher = this._register(new Throttle(() => this.publish(), deps.timings?.publishIntervalMs ?? 250));
    this._register(toDisposable(() => this.clear()));
    this._register(toDisposable(() => this.listeners.clear()));
  }

  onDidChange(listener: (s: PanelSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The open runs' folders, in the panel's order. */
  get roots(): string[] {
    return [...this.runs.keys()];
  }

  session(root: string): RunSession | undefined {
    return this.runs.get(root)?.session;
  }

  /** Opens these runs beside the open ones; a run already open stays as it is. Resolves once each has opened (or failed to). */
  add(requests: readonly RunRequest[]): Promise<void> {
    return this.open(requests, false);
  }

  /** Shows exactly these runs: the others close (and stop being watched), the new ones open. */
  replace(requests: readonly RunRequest[]): Promise<void> {
    return this.open(requests, true);
  }

  /** Takes a run out: its job is cancelled, its watchers stop, its worker turns go to the others. */
  remove(root: string): boolean {
    if (!this.close(root)) return false;
    this.runsChanged();
    return true;
  }

  clear(): void {
    for (const root of this.roots) this.remove(root);
  }

  /** Opens every run again with the settings as they are now (each keeps its place and colour). */
  async reopen(): Promise<void> {
    const requests = [...this.runs.entries()].map(([root, e]) => ({ root, colour: e.colour }));
    for (const r of requests) this.close(r.root);
    await this.open(requests, false);
  }

  rescore(): void {
    for (const e of this.runs.values()) void e.session.rescore();
  }

  /** Trust was granted: every run's queue starts. */
  resume(): void {
    for (const e of this.runs.values()) e.session.resume();
  }

  /** Moves a run's checkpoint to the front (the user clicked it): its run gets the worker's next turn. */
  prioritize(root: string, path: string): void {
    this.runs.get(root)?.session.prioritize(path);
  }

  /** A run's checkpoint; with several runs, measured against the comparison across them. */
  async inspect(root: string, path: string): Promise<InspectData> {
    const e = this.runs.get(root);
    if (!e) throw new Error(`${root} is not open in the panel`);
    const labels = this.labels();
    const own = { ...(await e.session.inspect(path)), runName: labels.get(root) ?? e.session.runName };
    const built = this.across.report;
    const t = this.acrossReporter.currentTournament;
    if (this.runs.size < 2 || !built?.result.across || !t) return own;
    const reports = new Map<string, CoverageReport>();
    for (const [label, r] of built.roots) {
      const report = this.runs.get(r)?.report;
      if (report) reports.set(label, report);
    }
    return inspectAcross({ own, across: built.result.across, tournament: t, reports });
  }

  snapshot(): PanelSnapshot {
    const labels = this.labels();
    const inputs = [...this.runs.entries()].map(([root, e]) => ({ snap: e.snap, label: labels.get(root)!, colour: e.colour }));
    return panelSnapshot(this.version, inputs, this.across.report);
  }

  /** Resolves when no run scores or builds and the comparison is up to date (tests). */
  async idle(): Promise<void> {
    for (let round = 0; round < 2; round++) {
      await Promise.all([...this.runs.values()].map((e) => e.session.idle()));
      await this.across.flush();
    }
    this.publisher.flush();
  }

  /**
   * Closes what `exclusive` leaves out and opens what is new, then tells the listeners once: a
   * snapshot with only some of the runs would be the set a reload restores, were it saved then.
   */
  private async open(requests: readonly RunRequest[], exclusive: boolean): Promise<void> {
    const keep = new Set(requests.map((r) => r.root));
    const closed = exclusive ? this.roots.filter((root) => !keep.has(root) && this.close(root)) : [];
    const fresh = requests.filter((r, i) => !this.runs.has(r.root) && requests.findIndex((x) => x.root === r.root) === i);
    const entries = fresh.map((r) => this.create(r));
    if (entries.length === 0 && closed.length === 0) return;
    this.runsChanged();
    await Promise.all(entries.map((e) => this.start(e)));
  }

  /** Ends a run's session and watchers, telling no one (the caller does). */
  private close(root: string): boolean {
    const e = this.runs.get(root);
    if (!e) return false;
    this.runs.delete(root);
    e.scope.dispose();
    e.session.dispose();
    this.deps.log.info('session', `closed ${root}`);
    return true;
  }

  /** The set of runs changed: the comparison starts over, the listeners hear of it. */
  private runsChanged(): void {
    this.across.reset();
    this.across.schedule();
    this.changed();
  }

  private create(r: RunRequest): OpenEntry {
    const used = [...this.runs.values()].map((e) => e.colour);
    const colour = r.colour !== undefined && !used.includes(r.colour) ? r.colour : freeColour(used);
    const session = new RunSession(r.root, {
      engine: this.deps.engine,
      settings: this.deps.settings(r.root),
      log: this.deps.log,
      isTrusted: this.deps.isTrusted,
      // With several runs a message names its run: the worker's words name only the checkpoint.
      notifyUser: (m) => this.deps.notifyUser(this.runs.size > 1 ? `${this.labels().get(r.root) ?? session.runName}: ${m}` : m),
      turns: this.turns,
      ...this.deps.timings,
    });
    const entry: OpenEntry = { session, colour, scope: new DisposableStore(), snap: session.snapshot(), report: null };
    entry.scope.add(toDisposable(session.onDidChange((s) => this.sessionChanged(entry, s))));
    this.runs.set(r.root, entry);
    this.deps.log.info('session', `opening ${r.root}`);
    return entry;
  }

  private async start(e: OpenEntry): Promise<void> {
    await e.session.open();
    if (this.runs.get(e.session.root) !== e || !e.session.openedRun) return;
    let watching: DisposableLike | undefined;
    try {
      watching = await this.deps.watch(e.session);
    } catch (err) {
      this.deps.log.warn('watch', `cannot watch ${e.session.root}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!watching) return;
    // Removed while its watchers started: nobody else would stop them.
    if (this.runs.get(e.session.root) === e) e.scope.add(watching);
    else watching.dispose();
  }

  private sessionChanged(e: OpenEntry, snap: RunSnapshot): void {
    e.snap = snap;
    const report = e.session.report;
    if (report !== e.report) {
      e.report = report;
      if (this.runs.size > 1) this.across.schedule();
    }
    this.changed();
  }

  /** The comparison over the runs that have a report; the others are named as pending. */
  private buildAcross(): AcrossBuilt | null {
    if (this.runs.size < 2) return null;
    const labels = this.labels();
    const inputs: AcrossRunInput[] = [];
    const roots = new Map<string, string>();
    const pending: string[] = [];
    for (const [root, e] of this.runs) {
      const label = labels.get(root)!;
      const opened = e.session.openedRun;
      const report = e.session.report;
      const data = opened && report ? opened.acrossInput(report) : null;
      if (!opened || !report || !data) {
        pending.push(`${label} (${!opened ? 'not open' : 'nothing scored yet'})`);
        continue;
      }
      inputs.push({ run: label, evalSetHash: opened.evalSetHash, report, checkpoints: data.checkpoints, r: data.r });
      roots.set(label, root);
    }
    if (inputs.length < 2) return null;
    return { result: this.acrossReporter.build(inputs), roots, pending };
  }

  private labels(): Map<string, string> {
    const roots = this.roots;
    const labels = runLabels(roots);
    return new Map(roots.map((r, i) => [r, labels[i]]));
  }

  private changed(): void {
    if (this.isDisposed) return;
    this.version++;
    this.publisher.request();
  }

  private publish(): void {
    const snap = this.snapshot();
    for (const l of this.listeners) l(snap);
  }
}
