/**
 * A sweep's runs as a table: one row per run with its values of the swept
 * fields, its status and results, and a button loading its set-up into the
 * playground. Every column header is a button that sorts by it (again:
 * the other way); runs without a value yet sort last. The best run (highest
 * best validation accuracy) is marked.
 */
import { fieldName } from './sweepform.js';
import { t } from './i18n.js';

/** @typedef {{run_id: string, values: Record<string, number>, status: string, epochs_done: number,
 *   final: {train_loss: number, train_accuracy: number|null, validation_loss: number|null,
 *   validation_accuracy: number|null}|null, best_validation_accuracy: number|null, test_accuracy: number|null}} SweepRun */

const percent = (v) => (v == null ? '—' : `${(v * 100).toFixed(1)}%`);
const fixed = (v) => (v == null ? '—' : Number(v).toFixed(4));

/**
 * The columns after the swept values: a key, how to read the value to sort
 * by, and how to show it.
 */
const RESULT_COLUMNS = [
  { key: 'status', read: (r) => r.status, show: (r) => t(`status.${r.status}`) },
  { key: 'epochs_done', read: (r) => r.epochs_done, show: (r) => String(r.epochs_done) },
  { key: 'validation_accuracy', read: (r) => r.final?.validation_accuracy, show: (r) => percent(r.final?.validation_accuracy) },
  { key: 'best_validation_accuracy', read: (r) => r.best_validation_accuracy, show: (r) => percent(r.best_validation_accuracy) },
  { key: 'test_accuracy', read: (r) => r.test_accuracy, show: (r) => percent(r.test_accuracy) },
  { key: 'validation_loss', read: (r) => r.final?.validation_loss, show: (r) => fixed(r.final?.validation_loss) },
  { key: 'train_loss', read: (r) => r.final?.train_loss, show: (r) => fixed(r.final?.train_loss) },
];

/**
 * @param {HTMLTableElement} table
 * @param {{onLoad: (run: SweepRun, n: number) => void}} deps  a row's "Load in playground"
 */
export function createSweepTable(table, { onLoad }) {
  /** @type {{grid: Record<string, number[]>, runs: SweepRun[], best_run_id?: string|null}|null} */
  let sweep = null;
  let sort = { key: 'n', descending: false };

  function columns() {
    const swept = Object.keys(sweep?.grid ?? {}).map((path) => ({
      key: `value:${path}`, label: fieldName(path), read: (r) => r.values[path], show: (r) => String(r.values[path] ?? '—'),
    }));
    return [
      { key: 'n', label: '#', read: (r) => r.n, show: (r) => String(r.n) },
      ...swept,
      ...RESULT_COLUMNS.map((c) => ({ ...c, label: t(`sweep.col.${c.key}`) })),
    ];
  }

  function sorted(rows, column) {
    const sign = sort.descending ? -1 : 1;
    return [...rows].sort((a, b) => {
      const x = column.read(a);
      const y = column.read(b);
      if (x == null || y == null) return (x == null) - (y == null) || a.n - b.n; // no value yet: last
      if (x === y) return a.n - b.n;
      return (typeof x === 'number' ? x - y : String(x).localeCompare(String(y))) * sign;
    });
  }

  function header(cols) {
    const tr = document.createElement('tr');
    for (const column of cols) {
      const th = document.createElement('th');
      th.scope = 'col';
      const active = sort.key === column.key;
      th.setAttribute('aria-sort', active ? (sort.descending ? 'descending' : 'ascending') : 'none');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'sort';
      button.dataset.sort = column.key;
      button.textContent = `${column.label}${active ? (sort.descending ? ' ▼' : ' ▲') : ''}`;
      button.setAttribute('aria-label', t('sweep.sortBy', { column: column.label }));
      button.addEventListener('click', () => {
        sort = { key: column.key, descending: active ? !sort.descending : column.key !== 'n' && column.key !== 'status' && !column.key.endsWith('loss') };
        render(sweep);
        table.querySelector(`button[data-sort="${CSS.escape(column.key)}"]`)?.focus();
      });
      th.append(button);
      tr.append(th);
    }
    const action = document.createElement('th');
    action.scope = 'col';
    action.textContent = t('sweep.col.load');
    tr.append(action);
    return tr;
  }

  /** @param {{grid: Record<string, number[]>, runs: SweepRun[]}|null} next */
  function render(next) {
    sweep = next;
    const cols = columns();
    const thead = document.createElement('thead');
    thead.append(header(cols));
    const tbody = document.createElement('tbody');
    const runs = (sweep?.runs ?? []).map((r, i) => ({ ...r, n: i + 1 }));
    // the server names the best run (highest validation accuracy, or lowest loss without one)
    const bestScore = Math.max(-Infinity, ...runs.map((r) => r.best_validation_accuracy ?? -Infinity));
    const bestId = sweep?.best_run_id ?? runs.find((r) => Number.isFinite(bestScore) && r.best_validation_accuracy === bestScore)?.run_id;
    const column = cols.find((c) => c.key === sort.key) ?? cols[0];
    for (const run of sorted(runs, column)) {
      const tr = document.createElement('tr');
      tr.dataset.testid = 'sweep-row';
      tr.dataset.runId = run.run_id;
      tr.dataset.status = run.status;
      const best = run.run_id === bestId;
      tr.classList.toggle('best', best);
      for (const c of cols) {
        const td = document.createElement('td');
        td.dataset.column = c.key;
        td.textContent = c.show(run);
        if (c.key === 'n' && best) td.title = t('sweep.best');
        tr.append(td);
      }
      const td = document.createElement('td');
      const load = document.createElement('button');
      load.type = 'button';
      load.className = 'secondary small';
      load.dataset.testid = 'sweep-load';
      load.textContent = t('sweep.load');
      load.setAttribute('aria-label', t('sweep.loadRun', { n: run.n }));
      load.addEventListener('click', () => onLoad(run, run.n));
      td.append(load);
      tr.append(td);
      tbody.append(tr);
    }
    table.replaceChildren(thead, tbody);
  }

  return { render, relabel: () => render(sweep) };
}
