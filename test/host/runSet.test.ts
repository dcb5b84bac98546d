// The runs the panel compares, driven with a fake engine whose runs are the demo at three learning
// rates (exact float64 scores, no worker): each is opened, watched and scored; they share one
// worker one job at a time, taking turns; the comparison is core's buildAcross over them; a
// removed run stops being watched and scored; colours stay with their runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bigramScores } from '../../src/core/demo/exact';
import { demoData } from '../../src/core/demo/run';
import { buildAcross, buildReportWithReference, type CoverageReport, type ReportCheckpointInput } from '../../src/core/report';
import { DEFAULT_SETTINGS } from '../../src/core/settings';
import type { CheckpointEntry } from '../../src/core/types';
import type { OpenedRun, RunEngine } from '../../src/host/engine';
import { buildInspectData } from '../../src/host/inspectData';
import { RunSet } from '../../src/host/runSet';
import type { PanelSnapshot } from '../../src/shared/protocol';
import { ScoreError } from '../../src/core/scoreError';

const SAMPLES = 300;
const RATES = { 'lr-0.8': 0.8, 'lr-1': 1, 'lr-1.25': 1.25, 'lr-2': 2 } as const;
type RunName = keyof typeof RATES;
const data = Object.fromEntries(
  Object.entries(RATES).map(([name, lr]) => {
    const d = demoData({ samples: SAMPLES, lr });
    return [
      name,
      d.checkpoints.slice(0, 6).map((c) => ({ step: c.step, path: c.path, scores: bigramScores(c.table, d.vocab, d.samples) })),
    ];
  }),
) as Record<RunName, ReportCheckpointInput[]>;
const refLogprobs = demoData({ samples: SAMPLES }).samples.map((s) => s.refLogprob);
const root = (name: string) => `/sweep/${name}`;

/** The one worker all fake runs share: it records the order of jobs and that they never overlap. */
class FakeWorker {
  active = 0;
  most = 0;
  jobs: string[] = [];
  /** Jobs wait on this before they finish (a test may hold the worker still). */
  gate: Promise<void> = Promise.resolve();
}

class FakeRun implements OpenedRun {
  readonly evalPaths = ['eval.jsonl'];
  readonly storeDir = '.coverage';
  readonly storePath: string;
  readonly tokensPerStep = 1000;
  readonly nGrid = [2, 16];
  readonly selectionN = 16;
  readonly problems = [];
  private readonly stored = new Map<string, ReportCheckpointInput>();
  private latest: { report: CoverageReport; checkpoints: ReportCheckpointInput[]; r: Float64Array | null } | null = null;
  disposed = 0;
  cancelled: string[] = [];

  constructor(
    readonly root: string,
    private readonly name: RunName,
    private readonly worker: FakeWorker,
    readonly evalSetHash = 'same eval set',
  ) {
    this.storePath = `${root}/.coverage`;
  }

  async scan() {
    return {
      checkpoints: data[this.name].map((c): CheckpointEntry => ({
        step: c.step,
        path: c.path,
        modelPath: `${this.root}/${c.path}`,
        dataPaths: [],
        sameStep: [],
      })),
      problems: [],
    };
  }
  async hasScores() {
    return false;
  }
  async storedNow() {
    return [];
  }
  async elsewhere() {
    return new Map();
  }
  async score(e: CheckpointEntry, _onProgress: unknown, signal: AbortSignal) {
    const w = this.worker;
    w.active++;
    w.most = Math.max(w.most, w.active);
    w.jobs.push(`${this.name}:${e.step}`);
    try {
      await w.gate;
      await new Promise((r) => setImmediate(r));
      if (signal.aborted) {
        this.cancelled.push(e.path);
        throw new ScoreError({ kind: 'cancelled', checkpoint: e.path, message: 'cancelled' });
      }
      this.stored.set(
        e.path,
        data[this.name].find((c) => c.path === e.path)!,
      );
      return { provider: 'cpu' };
    } finally {
      w.active--;
    }
  }
  async report(entries: readonly CheckpointEntry[]) {
    const checkpoints = entries.flatMap((e) => this.stored.get(e.path) ?? []);
    const { report, r } = buildReportWithReference({
      checkpoints,
      reference: 'generator',
      refLogprobs,
      nGrid: this.nGrid,
      selectionN: 16,
      evalSamples: SAMPLES,
    });
    this.latest = { report, checkpoints, r };
    return report;
  }
  acrossInput(report: CoverageReport) {
    return this.latest?.report === report ? { checkpoints: this.latest.checkpoints, r: this.latest.r } : null;
  }
  async inspect(_entries: readonly CheckpointEntry[], path: string) {
    const c = this.stored.get(path)!;
    return buildInspectData({
      report: this.latest!.report,
      path,
      model: 'onnx',
      scores: c.scores,
      r: this.latest!.r,
      samples: [],
      rivalShares: null,
    });
  }
  async invalidate() {}
  async dispose() {
    this.disposed++;
  }
}

function setup(opts: { hashes?: Partial<Record<RunName, string>>; broken?: string[] } = {}) {
  const worker = new FakeWorker();
  const opened = new Map<string, FakeRun>();
  const engine: RunEngine = {
    async open(r) {
      if (opts.broken?.includes(r)) throw new Error(`${r}/eval.jsonl: cannot read the eval set (ENOENT)`);
      const name = r.split('/').pop() as RunName;
      const run = new FakeRun(r, name, worker, opts.hashes?.[name]);
      opened.set(r, run);
      return run;
    },
  };
  const watching = new Set<string>();
  const unwatched: string[] = [];
  const logs: string[] = [];
  const set = new RunSet({
    engine,
    log: {
      info: (c, m) => logs.push(`info ${c} ${m}`),
      warn: (c, m) => logs.push(`warn ${c} ${m}`),
      error: (c, m) => logs.push(`error ${c} ${m}`),
    },
    settings: () => DEFAULT_SETTINGS,
    isTrusted: () => true,
    notifyUser: () => undefined,
    watch: async (session) => {
      watching.add(session.root);
      return {
        dispose: () => {
          watching.delete(session.root);
          unwatched.push(session.root);
        },
      };
    },
    timings: { settleMs: 0, reportIntervalMs: 0, publishIntervalMs: 0 },
  });
  let last: PanelSnapshot | null = null;
  set.onDidChange((s) => (last = s));
  return { set, worker, opened, watching, unwatched, logs, last: () => last! };
}

/** What the CLI prints as `across` for these runs, scored in full. */
function expectedAcross(names: RunName[]) {
  return buildAcross(
    names.map((name) => {
      const { report, r } = buildReportWithReference({
        checkpoints: data[name],
        reference: 'generator',
        refLogprobs,
        nGrid: [2, 16],
        selectionN: 16,
        evalSamples: SAMPLES,
      });
      return { run: name, evalSetHash: 'same eval set', report, checkpoints: data[name], r };
    }),
  );
}

test("a sweep of three runs: each opened, watched and scored, one job at a time; the comparison is the CLI's", async (t) => {
  const { set, worker, watching, last } = setup();
  t.after(() => set.dispose());
  const names: RunName[] = ['lr-0.8', 'lr-1', 'lr-1.25'];
  await set.add(names.map((n) => ({ root: root(n) })));
  await set.idle();
  assert.deepEqual([...watching].sort(), names.map(root));
  assert.equal(worker.most, 1, 'the runs share one worker, one job at a time');
  assert.equal(worker.jobs.length, 18);
  // Equally urgent runs take turns: each run's first pass starts at once, coarse to fine.
  assert.deepEqual(
    worker.jobs.slice(0, 6).map((j) => j.split(':')[0]),
    ['lr-0.8', 'lr-1', 'lr-1.25', 'lr-0.8', 'lr-1', 'lr-1.25'],
  );
  const s = last();
  assert.deepEqual(
    s.runs.map((r) => [r.label, r.colour, r.rows.filter((x) => x.state === 'done').length]),
    [
      ['lr-0.8', 0, 6],
      ['lr-1', 1, 6],
      ['lr-1.25', 2, 6],
    ],
  );
  const want = expectedAcross(names).across!;
  assert.equal(s.acrossError, null);
  assert.deepEqual(s.across!.suggested, { run: root(want.suggested!.run), step: want.suggested!.step, path: want.suggested!.path });
  assert.deepEqual(s.across!.minCrossEntropy, {
    run: root(want.minCrossEntropy!.run),
    step: want.minCrossEntropy!.step,
    path: want.minCrossEntropy!.path,
  });
  assert.equal(s.across!.verdict, want.verdict);
  assert.deepEqual(
    s.across!.checkpoints,
    want.checkpoints.map((c) => ({
      run: root(c.run),
      path: c.path,
      tournamentScore: c.tournamentScore,
      rivalRun: c.rivalRun && root(c.rivalRun),
      rivalStep: c.rivalStep,
    })),
  );
  assert.deepEqual(s.across!.pending, []);
});

test('a click in any run is scored next; the others wait their turn', async (t) => {
  const { set, worker } = setup();
  t.after(() => set.dispose());
  let open!: () => void;
  worker.gate = new Promise((r) => (open = r));
  const adding = set.add(['lr-0.8', 'lr-1'].map((n) => ({ root: root(n) })));
  // Hold the worker on the first job until lr-1's queue is there to be clicked in.
  while (worker.jobs.length < 1 || !set.session(root('lr-1'))?.snapshot().rows.length) await new Promise((r) => setImmediate(r));
  const clicked = data['lr-1'][3];
  set.prioritize(root('lr-1'), clicked.path);
  open();
  await adding;
  await set.idle();
  assert.equal(worker.jobs[1], `lr-1:${clicked.step}`, `jobs: ${worker.jobs.join(', ')}`);
});

test('removing a run stops its watching and scoring; colours stay with their runs; a new run takes the free colour', async (t) => {
  const { set, opened, watching, unwatched, last } = setup();
  t.after(() => set.dispose());
  await set.add(['lr-0.8', 'lr-1', 'lr-1.25'].map((n) => ({ root: root(n) })));
  await set.idle();
  assert.equal(set.remove(root('lr-1')), true);
  assert.deepEqual(unwatched, [root('lr-1')]);
  assert.ok(!watching.has(root('lr-1')));
  assert.equal(opened.get(root('lr-1'))!.disposed, 1);
  await set.idle();
  let s = last();
  assert.deepEqual(
    s.runs.map((r) => [r.label, r.colour]),
    [
      ['lr-0.8', 0],
      ['lr-1.25', 2],
    ],
  );
  assert.equal(s.across!.checkpoints.length, 12, 'the comparison is over the two runs left');
  assert.deepEqual(s.across!.suggested!.run === root('lr-1'), false);
  await set.add([{ root: root('lr-2') }]);
  await set.idle();
  s = last();
  assert.deepEqual(
    s.runs.map((r) => [r.label, r.colour]),
    [
      ['lr-0.8', 0],
      ['lr-1.25', 2],
      ['lr-2', 1],
    ],
  );
  // Open Run… shows exactly the runs chosen: the others close.
  await set.replace([{ root: root('lr-2') }, { root: root('lr-1') }]);
  await set.idle();
  assert.deepEqual(
    last().runs.map((r) => r.label),
    ['lr-2', 'lr-1'],
  );
  assert.deepEqual([...watching].sort(), [root('lr-1'), root('lr-2')]);
  assert.equal(last().runs[1].colour, 0, 'the lowest free colour');
});

test('a reload reopens the runs in their colours; one run alone has no comparison', async (t) => {
  const { set, last } = setup();
  t.after(() => set.dispose());
  await set.add([
    { root: root('lr-1'), colour: 3 },
    { root: root('lr-0.8'), colour: 1 },
    { root: root('lr-2'), colour: 3 },
  ]);
  await set.idle();
  assert.deepEqual(
    last().runs.map((r) => [r.label, r.colour]),
    [
      ['lr-1', 3],
      ['lr-0.8', 1],
      ['lr-2', 0],
    ],
  );
  set.remove(root('lr-1'));
  set.remove(root('lr-2'));
  await set.idle();
  assert.equal(last().runs.length, 1);
  assert.equal(last().across, null);
  assert.equal(last().acrossError, null);
});

test("clicking a point inspects that run's checkpoint against the suggestion across runs", async (t) => {
  const { set, last } = setup();
  t.after(() => set.dispose());
  const names: RunName[] = ['lr-0.8', 'lr-1', 'lr-1.25'];
  await set.add(names.map((n) => ({ root: root(n) })));
  await set.idle();
  const s = last();
  const sug = s.across!.suggested!;
  // A checkpoint of another run than the suggestion's.
  const other = names.map(root).find((r) => r !== sug.run)!;
  const path = data['lr-0.8'][0].path;
  const d = await set.inspect(other, path);
  assert.equal(d.run, other);
  assert.equal(d.runName, other.split('/').pop());
  const suggested = d.profiles.find((p) => p.role === 'suggested')!;
  assert.deepEqual([suggested.run, suggested.step, suggested.path], [sug.run.split('/').pop(), sug.step, sug.path]);
  assert.equal(d.profiles.find((p) => p.role === 'this')!.run, d.runName);
  const standing = s.across!.checkpoints.find((c) => c.run === other && c.path === path)!;
  assert.equal(d.tournament!.score, standing.tournamentScore);
  assert.equal(d.tournament!.rivalStep, standing.rivalStep);
  assert.equal(d.tournament!.rivals.length, 17, 'every other checkpoint of every run is a rival');
  assert.equal(Math.max(...d.tournament!.rivals.map((r) => r.share)), standing.tournamentScore);
  assert.ok(d.tournament!.rivals.some((r) => r.run === d.runName) && d.tournament!.rivals.some((r) => r.run !== d.runName));
  assert.ok(d.notes.some((n) => /Measured against the 3 runs compared/.test(n)));
  await assert.rejects(set.inspect('/nowhere', path), /not open in the panel/);
});

test('runs on different eval sets: no comparison, and why; a run that cannot open is named, the others compared', async (t) => {
  const a = setup({ hashes: { 'lr-1': 'another eval set' } });
  t.after(() => a.set.dispose());
  await a.set.add(['lr-0.8', 'lr-1'].map((n) => ({ root: root(n) })));
  await a.set.idle();
  assert.equal(a.last().across, null);
  assert.match(
    a.last().acrossError!,
    /the eval sets differ \(by the hash of their token ids\): run lr-0\.8 use one eval set, run lr-1 another/,
  );

  const b = setup({ broken: [root('lr-2')] });
  t.after(() => b.set.dispose());
  await b.set.add(['lr-0.8', 'lr-1', 'lr-2'].map((n) => ({ root: root(n) })));
  await b.set.idle();
  const s = b.last();
  assert.match(s.runs[2].error!, /cannot read the eval set/);
  assert.deepEqual(s.across!.pending, ['lr-2 (not open)']);
  assert.equal(s.across!.checkpoints.length, 12);
  assert.ok(!b.watching.has(root('lr-2')), 'a run that did not open is not watched');
});

test('Open Run… and a settings change never publish a part of the runs (a reload would restore that part)', async (t) => {
  const { set, opened } = setup();
  t.after(() => set.dispose());
  const seen: string[][] = [];
  set.onDidChange((s) => seen.push(s.runs.map((r) => r.label)));
  await set.add(['lr-0.8', 'lr-1'].map((n) => ({ root: root(n) })));
  await set.idle();
  seen.length = 0;
  await set.replace(['lr-0.8', 'lr-2'].map((n) => ({ root: root(n) })));
  await set.idle();
  assert.ok(seen.length > 0 && seen.every((runs) => JSON.stringify(runs) === JSON.stringify(['lr-0.8', 'lr-2'])), JSON.stringify(seen));
  seen.length = 0;
  const before = opened.get(root('lr-2'));
  await set.reopen();
  await set.idle();
  assert.ok(seen.length > 0 && seen.every((runs) => JSON.stringify(runs) === JSON.stringify(['lr-0.8', 'lr-2'])), JSON.stringify(seen));
  assert.notEqual(opened.get(root('lr-2')), before, 'reopened: a new run from the engine');
  assert.equal(before!.disposed, 1);
});
