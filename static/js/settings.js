/**
 * The settings panel: every field of the training request except the layers,
 * described once as data and rendered with the shared form controls. Fields
 * that do not apply (noise for MNIST, β₁ for SGD …) are not shown.
 */
import { createField, getPath, keepFocus } from './form.js';
import { t, nameOf } from './i18n.js';

/**
 * @typedef {import('./form.js').FieldSpec & {when?: (state: object, catalog: object) => boolean,
 *   registry?: string, limit?: string, params?: (context: SettingsContext) => object,
 *   disable?: (state: object, context: SettingsContext) => boolean, hinted?: boolean}} SettingSpec
 *   params: the label's placeholders; disable: when the control cannot be used; hinted: has a
 *   `setting.<path>.hint` line under it
 */

/**
 * What the settings show besides the state.
 * @typedef {{corrections?: number|null}} SettingsContext  corrections: this browser's corrected digits
 */

/** How often each corrected digit is repeated in the training set when "my corrected digits" is ticked. */
export const CORRECTIONS_REPEAT = 20;

const generated = (s, c) => c.isGenerated(s.dataset);
const image = (s, c) => c.datasetKind(s.dataset) === 'image';
const mnist = (s) => s.dataset === 'mnist';
const usesParam = (name) => (s, c) => name in c.optimizerParams(s.network.optimizer.kind);

/** Groups of fields, in the order they are shown. `limit` names the /api/limits entry capping the field. */
const GROUPS = [
  {
    key: 'data',
    fields: [
      { path: 'dataset', kind: 'select', testid: 'dataset-select' },
      { path: 'noise', kind: 'number', min: 0, max: 0.5, step: 0.05, when: generated, nullable: true },
      { path: 'n_points', kind: 'int', min: 10, max: 20000, when: generated, nullable: true },
      { path: 'train_size', kind: 'int', min: 1, limit: 'max_train_size', nullable: true },
      { path: 'validation_size', kind: 'int', min: 0, nullable: true },
      { path: 'augment.shift', kind: 'int', min: 0, max: 6, when: image },
      { path: 'augment.rotate', kind: 'number', min: 0, max: 45, step: 1, when: image },
      {
        path: 'corrections',
        kind: 'checkbox',
        on: { repeat: CORRECTIONS_REPEAT },
        testid: 'corrections-toggle',
        when: mnist,
        hinted: true,
        params: (context) => ({ n: context.corrections ?? '…' }),
        // nothing to add yet, unless a link asked for it
        disable: (state, context) => context.corrections === 0 && state.corrections == null,
      },
    ],
  },
  {
    key: 'training',
    fields: [
      { path: 'epochs', kind: 'int', min: 1, limit: 'max_epochs' },
      { path: 'batch_size', kind: 'int', min: 1, limit: 'max_batch_size' },
      { path: 'seed', kind: 'int', min: 0 },
      { path: 'early_stopping.patience', kind: 'int', min: 0 },
    ],
  },
  {
    key: 'model',
    fields: [
      { path: 'network.cost', kind: 'select', registry: 'costs' },
      { path: 'network.init', kind: 'select', registry: 'inits' },
      { path: 'network.regularization.l2', kind: 'number', min: 0, step: 0.1 },
      { path: 'network.regularization.l1', kind: 'number', min: 0, step: 0.1 },
    ],
  },
  {
    key: 'optimizer',
    fields: [
      { path: 'network.optimizer.kind', kind: 'select', registry: 'optimizers' },
      { path: 'network.optimizer.learning_rate', kind: 'number', min: 0, step: 0.01 },
      ...['momentum', 'beta1', 'beta2', 'rho', 'epsilon'].map((name) => ({
        path: `network.optimizer.${name}`,
        kind: 'number',
        min: 0,
        step: name === 'epsilon' ? 'any' : 0.01,
        when: usesParam(name),
        nullable: true,
      })),
    ],
  },
];

/** Paths whose change alters which fields are shown, so the panel must be redrawn. */
export const STRUCTURAL_PATHS = new Set(['dataset', 'network.optimizer.kind']);

function optionsFor(spec, catalog) {
  if (spec.path === 'dataset') {
    return catalog.datasets.map((d) => ({
      value: d.name,
      label: d.available === false ? t('setting.unavailable', { name: nameOf('dataset', d.name) }) : nameOf('dataset', d.name),
      disabled: d.available === false,
    }));
  }
  const group = spec.registry;
  return catalog.names(group).map((name) => ({ value: name, label: nameOf(group, name) }));
}

/** The value shown for a field: the state's, or for an unset optimizer hyper-parameter its default. */
function valueFor(spec, state, catalog) {
  const value = getPath(state, spec.path);
  if (value != null || !spec.path.startsWith('network.optimizer.')) return value;
  return catalog.optimizerParams(state.network.optimizer.kind)[spec.path.split('.').pop()];
}

/**
 * Fill `root` with the settings of `state`.
 * @param {Element} root
 * @param {object} state
 * @param {object} catalog  see registry.js
 * @param {(path: string, value: *) => void} onChange
 * @param {SettingsContext} [context]
 */
export function renderSettings(root, state, catalog, onChange, context = {}) {
  const first = !root.hasChildNodes();
  const openGroups = new Set([...root.querySelectorAll('details[open]')].map((d) => d.dataset.group));
  keepFocus(root, () => {
    root.replaceChildren();
    GROUPS.forEach((group, index) => {
      const details = document.createElement('details');
      details.dataset.group = group.key;
      details.open = first ? index < 2 : openGroups.has(group.key);
      const summary = document.createElement('summary');
      summary.textContent = t(`group.${group.key}`);
      const body = document.createElement('div');
      body.className = 'field-grid';
      for (const spec of group.fields) {
        if (spec.when && !spec.when(state, catalog)) continue;
        const max = spec.limit ? catalog.limits[spec.limit] ?? spec.max : spec.max;
        const field = {
          ...spec,
          max,
          label: t(`setting.${spec.path}`, spec.params?.(context)),
          hint: spec.hinted ? t(`setting.${spec.path}.hint`, { repeat: spec.on?.repeat }) : undefined,
          disabled: spec.disable?.(state, context) ?? false,
          placeholder: t('setting.default'),
          options: spec.kind === 'select' ? optionsFor(spec, catalog) : undefined,
        };
        body.append(createField(field, valueFor(spec, state, catalog), onChange));
      }
      details.append(summary, body);
      root.append(details);
    });
  });
}
