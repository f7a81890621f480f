/**
 * The hyper-parameter sweep panel: the course's grid search as one job. It
 * sends the playground's current set-up as the base with the grid of the
 * form, then follows the sweep (GET /api/sweeps/{id} every second while a
 * run is unfinished), filling the sortable table and overlaying the runs'
 * validation curves; a row's button loads that run's set-up. The sweep being
 * followed survives a reload of the page (its id is kept in sessionStorage).
 */
import { api } from './api.js';
import { drawFigure } from './charts.js';
import { createSweepForm, fieldName } from './sweepform.js';
import { createSweepTable } from './sweeptable.js';
import { t } from './i18n.js';
import { session } from './storage.js';

const STORAGE_KEY = 'nnplay.sweep';
const POLL_MS = 1000;
const FINISHED = new Set(['completed', 'stopped', 'failed']);
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#e377c2', '#8c564b', '#bcbd22', '#7f7f7f'];

/**
 * @param {{form: Element, start: HTMLButtonElement, count: Element, status: Element, table: HTMLTableElement,
 *   chart: Element, results: Element}} els
 * @param {{base: () => object|null, submitBase?: () => object|null, onLoad: (request: object) => void,
 *   maxRuns?: number|null}} deps
 *   base: the playground's request, null when its set-up cannot run; submitBase: the same when the sweep is
 *   sent (it may also point at the problem); maxRuns: the server's cap on a sweep's runs
 */
export function createSweep(els, { base, submitBase = base, onLoad, maxRuns = null }) {
  /** @type {object|null} the last GET /api/sweeps/{id} answer */
  let sweep = null;
  /** run id → its epochs as [{epoch, validation_accuracy, …}], from the sweep's curves (or the run's history) */
  const histories = new Map();
  let timer = 0;
  let following = 0;
  let status = { key: null, params: {} };

  function setStatus(key, params = {}) {
    status = { key, params };
    els.status.textContent = key ? t(key, params) : '';
  }

  const form = createSweepForm(els.form, { base, onChange: showCount });
  const table = createSweepTable(els.table, {
    async onLoad(run, n) {
      try {
        const answer = await api.run(run.run_id);
        onLoad(answer.request);
        setStatus('sweep.loaded', { n });
      } catch (error) {
        setStatus('sweep.failed', { message: error.message });
      }
    },
  });

  function showCount() {
    const n = form.count();
    els.count.textContent = n ? t(n === 1 ? 'sweep.countOne' : 'sweep.countMany', { n }) : '';
    const tooMany = maxRuns != null && n > maxRuns;
    if (tooMany) els.count.textContent = t('sweep.tooMany', { n, max: maxRuns });
    els.start.disabled = !n || tooMany;
  }

  /** "λ₂=0 · η=0.5": a run named by its values of the swept fields. */
  const runName = (run) => Object.entries(run.values).map(([path, v]) => `${fieldName(path)}=${v}`).join(' · ');

  function drawCurves() {
    drawFigure(els.chart, () => {
      const runs = sweep?.runs ?? [];
      // regression runs have no accuracy: their validation loss instead
      const hasAccuracy = runs.some((r) => (histories.get(r.run_id) ?? []).some((e) => e.validation_accuracy != null));
      const field = hasAccuracy ? 'validation_accuracy' : 'validation_loss';
      return {
        traces: runs.map((run, i) => {
          const history = histories.get(run.run_id) ?? [];
          const top = run.run_id === sweep.best_run_id;
          return {
            type: 'scatter', mode: history.length > 30 ? 'lines' : 'lines+markers', name: `#${i + 1} ${runName(run)}`,
            x: history.map((e) => e.epoch), y: history.map((e) => e[field]),
            line: { color: COLORS[i % COLORS.length], width: top ? 3.5 : 1.8 }, marker: { size: 4 },
          };
        }),
        layout: {
          legend: { orientation: 'v', x: 1.02, y: 1, xanchor: 'left', yanchor: 'top' },
          margin: { l: 48, r: 8, t: 12, b: 40 },
          xaxis: { title: { text: t('charts.epoch') }, rangemode: 'tozero' },
          yaxis: hasAccuracy
            ? { title: { text: t('sweep.validationAccuracy') }, range: [0, 1.02], tickformat: '.0%' }
            : { title: { text: t('sweep.validationLoss') }, rangemode: 'tozero' },
        },
      };
    });
  }

  /**
   * Each run's epochs: from the curves the sweep's answer carries, else (a
   * server without them) from the history of each run that has new epochs.
   */
  async function refreshHistories() {
    for (const run of sweep.runs.filter((r) => r.curves)) {
      const c = run.curves;
      histories.set(run.run_id, c.epoch.map((epoch, i) => ({
        epoch, validation_accuracy: c.validation_accuracy[i], validation_loss: c.validation_loss[i],
      })));
    }
    const stale = sweep.runs.filter((r) => !r.curves && r.epochs_done > (histories.get(r.run_id)?.length ?? 0));
    await Promise.all(stale.map(async (r) => {
      try {
        histories.set(r.run_id, (await api.run(r.run_id)).history);
      } catch {
        // the next poll tries again
      }
    }));
  }

  async function poll(id, ticket) {
    try {
      const answer = await api.sweep(id, true);
      if (ticket !== following) return;
      sweep = answer;
      els.results.hidden = false;
      table.render(sweep);
      await refreshHistories();
      if (ticket !== following) return;
      drawCurves();
      const done = sweep.runs.filter((r) => FINISHED.has(r.status)).length;
      els.results.dataset.finished = String(done === sweep.runs.length);
      if (done < sweep.runs.length) {
        setStatus('sweep.progress', { done, n: sweep.runs.length });
        timer = setTimeout(() => poll(id, ticket), POLL_MS);
      } else {
        setStatus('sweep.finished', { n: sweep.runs.length });
      }
    } catch (error) {
      if (ticket !== following) return;
      if (error.status === 404) {
        session.set(STORAGE_KEY, null);
        setStatus(sweep ? 'sweep.gone' : null); // a sweep remembered from before a server reset: forget it quietly
        return;
      }
      setStatus('sweep.failed', { message: error.message });
      timer = setTimeout(() => poll(id, ticket), POLL_MS * 3);
    }
  }

  function follow(id) {
    clearTimeout(timer);
    const ticket = ++following;
    histories.clear();
    session.set(STORAGE_KEY, id);
    els.results.dataset.finished = 'false';
    poll(id, ticket);
  }

  async function start() {
    const grid = form.grid();
    const request = submitBase();
    if (!request) {
      setStatus('errors.fixFirst');
      return;
    }
    if (!grid || !Object.keys(grid).length) {
      setStatus('sweep.needGrid');
      return;
    }
    els.start.disabled = true;
    setStatus('status.sending');
    try {
      const title = Object.keys(grid).map(fieldName).join(' × ');
      const answer = await api.startSweep({ base: request, grid, title });
      sweep = null;
      // hidden until the first answer: a figure drawn while hidden would keep a wrong size
      els.results.hidden = true;
      follow(answer.sweep_id);
    } catch (error) {
      setStatus(error.status === 422 ? 'sweep.refused' : 'sweep.failed', { message: error.message });
    } finally {
      showCount();
    }
  }

  els.start.addEventListener('click', start);
  els.results.hidden = true;
  showCount();
  const kept = session.get(STORAGE_KEY);
  if (kept) follow(kept);

  return {
    /** The playground's set-up changed: the first layer may no longer have units to sweep. */
    baseChanged() {
      form.relabel();
      showCount();
    },
    relabel() {
      form.relabel();
      showCount();
      table.relabel();
      setStatus(status.key, status.params);
    },
  };
}
