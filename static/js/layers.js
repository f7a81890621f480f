/**
 * The editable settings of each layer type and their defaults, shared by the
 * designer (which renders them), the state (which strips what a type does not
 * take) and the shape checker.
 */

/**
 * @typedef {{key: string, kind: 'int'|'number'|'select', min?: number, max?: number, step?: number,
 *   options?: string|Array, nullable?: boolean}} LayerField  options: a registry group or the values
 */

/** @type {Record<string, {defaults: object, fields: LayerField[]}>} */
export const LAYER_TYPES = {
  dense: {
    defaults: { units: 8, activation: 'relu' },
    fields: [
      { key: 'units', kind: 'int', min: 1 },
      { key: 'activation', kind: 'select', options: 'activations' },
    ],
  },
  conv2d: {
    defaults: { filters: 8, kernel: 3, stride: 1, padding: 0, activation: 'relu' },
    fields: [
      { key: 'filters', kind: 'int', min: 1 },
      { key: 'kernel', kind: 'int', min: 1 },
      { key: 'stride', kind: 'int', min: 1 },
      { key: 'padding', kind: 'select', options: [0, 'same'] },
      { key: 'activation', kind: 'select', options: 'activations' },
    ],
  },
  maxpool: {
    defaults: { size: 2, stride: null },
    fields: [
      { key: 'size', kind: 'int', min: 1 },
      { key: 'stride', kind: 'int', min: 1, nullable: true }, // null: the pool size
    ],
  },
  flatten: { defaults: {}, fields: [] },
  dropout: {
    defaults: { rate: 0.5 },
    fields: [{ key: 'rate', kind: 'number', min: 0, max: 0.95, step: 0.05 }],
  },
  batchnorm: { defaults: {}, fields: [] },
};

/** A fresh layer of `type` with its default settings. */
export function newLayer(type) {
  return { type, ...(LAYER_TYPES[type]?.defaults ?? {}) };
}

/** The layer reduced to the fields its type takes, defaults filled in, so requests stay clean. */
export function cleanLayer(layer) {
  const spec = LAYER_TYPES[layer.type];
  if (!spec) return { ...layer };
  const clean = { type: layer.type };
  for (const { key } of spec.fields) clean[key] = key in layer ? layer[key] : spec.defaults[key];
  return clean;
}
