/**
 * The runs of this browser session, for comparison: each stays listed with
 * its set-up and history (kept in sessionStorage, so a reload keeps them) and
 * can be overlaid on the live charts. Legends name runs by what differs
 * between the runs shown — "λ₂=5" vs "λ₂=0.1" — which is what the course's
 * comparisons are about.
 */
import { api } from './api.js';
import { t, nameOf } from './i18n.js';
import { session } from './storage.js';

const STORAGE_KEY = 'nnplay.runs';
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#e377c2', '#8c564b'];
const FINISHED = new Set(['completed', 'stopped', 'failed']);

function layersSummary(layers) {
  return layers
    .map((l) => [nameOf('layer_types', l.type), l.units ?? l.filters ?? '', l.activation ?? ''].filter((x) => x !== '').join(' '))
    .join(' → ');
}

/** The request as path → value, the layers summarised as one value. */
function flatten(request, prefix = '', out = {}) {
  for (const [key, value] of Object.entries(request)) {
    const path = prefix + key;
    if (path === 'network.layers') out[path] = layersSummary(value);
    else if (value && typeof value === 'object') flatten(value, `${path}.`, out);
    else out[path] = value;
  }
  return out;
}

/**
 * Legend names for runs shown together: "#n" followed by the settings in
 * which the runs differ from one another.
 * @param {{n: number, request: object}[]} runs
 */
function differenceNames(runs) {
  const flat = runs.map((r) => flatten(r.request));
  const paths = [...new Set(flat.flatMap(Object.keys))].filter((p) =>
    flat.some((f) => String(f[p]) !== String(flat[0][p])),
  );
  return runs.map((run, i) => {
    const parts = paths.map((p) => `${nameOf('diff', p)}=${flat[i][p] ?? '—'}`);
    return [`#${run.n}`, ...parts].join(' ');
  });
}

/** Epoch events without the per-epoch pictures, which are large and not compared. */
function slim(event) {
  const { boundary, ...rest } = event;
  return rest;
}

/**
 * @param {Element} listEl  the <ul> listing the runs
 * @param {{onChange: () => void, onLoad: (request: object) => void}} handlers
 *   onChange when an overlay is toggled or a run's data changed; onLoad to restore a run's set-up
 */
export function createRuns(listEl, { onChange, onLoad }) {
  /** @type {{id: string, n: number, request: object, status: string, history: object[], overlay: boolean,
   *   testAccuracy: number|null, earlyStopping?: {epoch: number, best_epoch: number}|null}[]} */
  let runs = [];
  try {
    runs = JSON.parse(session.get(STORAGE_KEY) ?? '[]');
  } catch {
    runs = [];
  }

  const save = () => session.set(STORAGE_KEY, JSON.stringify(runs));
  const find = (id) => runs.find((r) => r.id === id);
  const color = (run) => COLORS[(run.n - 1) % COLORS.length];

  function render() {
    listEl.replaceChildren(
      ...runs.map((run) => {
        const li = document.createElement('li');
        li.dataset.testid = 'run-item';
        li.style.setProperty('--run-color', color(run));
        const label = document.createElement('label');
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.checked = run.overlay;
        box.dataset.testid = 'run-overlay';
        box.addEventListener('change', () => {
          run.overlay = box.checked;
          save();
          onChange();
        });
        const text = document.createElement('span');
        const accuracy = run.testAccuracy != null ? ` · ${t('runs.testAccuracy', { value: (run.testAccuracy * 100).toFixed(1) })}` : '';
        text.textContent = `#${run.n} ${nameOf('dataset', run.request.dataset)} · ${layersSummary(run.request.network.layers)} · ${t(`status.${run.status}`)}${accuracy}`;
        label.append(box, text);
        const load = document.createElement('button');
        load.type = 'button';
        load.className = 'secondary small';
        load.textContent = t('runs.load');
        load.setAttribute('aria-label', t('runs.loadRun', { n: run.n }));
        load.addEventListener('click', () => onLoad(run.request));
        li.append(label, load);
        return li;
      }),
    );
  }

  function changed() {
    save();
    render();
    onChange();
  }

  // Runs left unfinished when the page was reloaded: ask the server how they ended.
  for (const run of runs.filter((r) => !FINISHED.has(r.status))) {
    api.run(run.id).then(
      (answer) => Object.assign(run, { status: answer.status, history: answer.history.map(slim) }),
      () => Object.assign(run, { status: 'failed' }),
    ).finally(changed);
  }
  render();

  return {
    /** Remember a run just started with `request`. */
    add(id, request) {
      const run = { id, n: (runs.at(-1)?.n ?? 0) + 1, request, status: 'queued', history: [], overlay: false, testAccuracy: null };
      runs.push(run);
      changed();
      return run;
    },
    /**
     * Record one of the run's events. Epochs only extend the history (the live
     * charts are redrawn by their owner); a change of status is saved and listed.
     */
    record(id, event) {
      const run = find(id);
      if (!run) return;
      if (event.type === 'epoch') {
        run.history.push(slim(event));
        return;
      }
      if (event.type === 'started') run.status = 'running';
      else if (event.type === 'done') {
        Object.assign(run, { status: event.status, testAccuracy: event.test_accuracy ?? null, earlyStopping: event.early_stopping ?? null });
      }
      else return;
      changed();
    },
    /**
     * The curves to draw: every overlaid run plus the live one, named by what differs.
     * @returns {import('./charts.js').Series[]}
     */
    series(liveId) {
      const shown = runs.filter((r) => r.overlay || r.id === liveId);
      const names = differenceNames(shown);
      return shown.map((run, i) => ({
        key: run.id, name: names[i], color: color(run), history: run.history, live: run.id === liveId,
        earlyStopping: run.earlyStopping ?? null,
      }));
    },
    /** The session number of a run ("#n" in the list), or null for a run of another session. */
    numberOf: (id) => find(id)?.n ?? null,
    render,
  };
}
