/**
 * The sweep's grid, as a student types it: up to three fields of the
 * training request (from a short list: λ₂, η, the first layer's units, the
 * mini-batch size, the epochs), each with comma-separated values. It reads
 * the rows into the `grid` of POST /api/sweeps and marks the values it cannot
 * use next to their field, before anything is sent.
 */
import { getPath } from './form.js';
import { nameOf, t } from './i18n.js';

/**
 * The fields a sweep can vary. `ok` says which numbers make sense; `label`
 * the i18n key of the field's name (the `diff.` names, as in the runs' legends).
 */
export const SWEEP_FIELDS = [
  { path: 'network.regularization.l2', int: false, ok: (v) => v >= 0, rule: 'sweep.ruleNonNegative', example: '0, 1, 5' },
  { path: 'network.optimizer.learning_rate', int: false, ok: (v) => v > 0 && v <= 10, rule: 'sweep.rulePositive', example: '0.1, 0.5' },
  { path: 'network.layers.0.units', int: true, ok: (v) => v >= 1, rule: 'sweep.ruleWhole', example: '2, 4, 8' },
  { path: 'batch_size', int: true, ok: (v) => v >= 1, rule: 'sweep.ruleWhole', example: '10, 50' },
  { path: 'epochs', int: true, ok: (v) => v >= 1, rule: 'sweep.ruleWhole', example: '10, 30' },
];
const ROWS = 3;
/** What a new sweep offers: λ₂ × η, two values each — four runs. */
const START = [
  { path: 'network.regularization.l2', values: '0, 5' },
  { path: 'network.optimizer.learning_rate', values: '0.1, 0.5' },
  { path: '', values: '' },
];

/** "λ₂", "η", … : the short name of a swept field. */
export const fieldName = (path) => (path === 'network.layers.0.units' ? t('sweep.units1') : nameOf('diff', path));

/** Numbers from "0.1, 0.5 ,1" (also the full-width comma and the ideographic one). */
function parseValues(text, int) {
  const parts = text.split(/[,，、;\s]+/).filter(Boolean);
  const values = parts.map(Number);
  const bad = parts.filter((_, i) => !Number.isFinite(values[i]) || (int && !Number.isInteger(values[i])));
  return { values: [...new Set(values)], bad };
}

/**
 * @param {Element} root  where the rows go
 * @param {{base: () => object|null, onChange: () => void}} deps  base: the playground's current request
 */
export function createSweepForm(root, { base, onChange }) {
  const rows = Array.from({ length: ROWS }, (_, i) => {
    const wrap = document.createElement('div');
    wrap.className = 'sweep-row';
    const fieldLabel = document.createElement('label');
    const select = document.createElement('select');
    select.id = `sweep-field-${i}`;
    select.dataset.testid = 'sweep-field';
    fieldLabel.htmlFor = select.id;
    const valuesLabel = document.createElement('label');
    const input = document.createElement('input');
    input.type = 'text';
    input.id = `sweep-values-${i}`;
    input.dataset.testid = 'sweep-values';
    input.inputMode = 'decimal';
    input.autocomplete = 'off';
    valuesLabel.htmlFor = input.id;
    const error = document.createElement('p');
    error.className = 'field-error';
    error.id = `sweep-error-${i}`;
    error.hidden = true;
    input.setAttribute('aria-describedby', error.id);
    const field = document.createElement('div');
    field.className = 'field';
    field.append(fieldLabel, select);
    const values = document.createElement('div');
    values.className = 'field';
    values.append(valuesLabel, input);
    wrap.append(field, values, error);
    root.append(wrap);
    select.addEventListener('change', () => {
      const spec = SWEEP_FIELDS.find((f) => f.path === select.value);
      if (spec && !input.value.trim()) input.value = spec.example;
      relabel();
      onChange();
    });
    input.addEventListener('input', onChange);
    return { select, input, error, fieldLabel, valuesLabel, path: START[i].path };
  });
  rows.forEach((row, i) => {
    row.input.value = START[i].values;
  });

  /** Fill the menus (a field chosen in one row is not offered in another) and the labels. */
  function relabel() {
    const request = base();
    rows.forEach((row, i) => {
      const chosen = row.select.options.length ? row.select.value : row.path;
      row.fieldLabel.textContent = t('sweep.field', { n: i + 1 });
      row.valuesLabel.textContent = t('sweep.values', { n: i + 1 });
      const taken = new Set(rows.filter((other) => other !== row).map((other) => other.select.value));
      row.select.replaceChildren(new Option(t('sweep.none'), ''), ...SWEEP_FIELDS.map((f) => {
        const option = new Option(`${fieldName(f.path)} — ${t(`sweep.about.${f.path}`)}`, f.path);
        // the first layer's units only exist when the first layer has units (a dense layer)
        option.disabled = taken.has(f.path) || (request && getPath(request, f.path) === undefined);
        return option;
      }));
      row.select.value = chosen;
      const spec = SWEEP_FIELDS.find((f) => f.path === chosen);
      row.input.disabled = !spec;
      row.input.placeholder = spec ? t('sweep.example', { example: spec.example }) : '';
    });
  }

  /**
   * The grid of the chosen rows (path → values), with each row's problem
   * shown next to it; null when a row has one.
   * @returns {Record<string, number[]>|null}
   */
  function grid() {
    const out = {};
    let valid = true;
    for (const row of rows) {
      const spec = SWEEP_FIELDS.find((f) => f.path === row.select.value);
      let problem = null;
      if (spec) {
        const { values, bad } = parseValues(row.input.value, spec.int);
        const out_of_range = values.filter((v) => !spec.ok(v));
        if (!values.length && !bad.length) problem = t('sweep.needValues');
        else if (bad.length || out_of_range.length) problem = t(spec.rule, { values: [...bad, ...out_of_range].join(', ') });
        else out[spec.path] = values;
      }
      row.error.textContent = problem ?? '';
      row.error.hidden = !problem;
      row.input.toggleAttribute('aria-invalid', Boolean(problem));
      if (problem) valid = false;
    }
    return valid ? out : null;
  }

  relabel();
  return {
    grid,
    relabel,
    /** The number of runs the rows ask for (0 when a row cannot be read). */
    count() {
      const g = grid();
      return g ? Object.values(g).reduce((n, values) => n * values.length, Object.keys(g).length ? 1 : 0) : 0;
    },
  };
}
