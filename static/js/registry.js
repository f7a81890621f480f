/**
 * What the server says can be chosen: the registry of names (activations,
 * costs, optimizers, layer types …), the datasets and the limits. Menus are
 * filled from here so that adding a choice on the server needs no UI change.
 */

/**
 * Wrap the server's answers in the questions the UI asks of them.
 * @param {{registry: object, optimizers: object, datasets: Array, limits: object}} sources
 *   optimizers: each optimizer's hyper-parameters with the engine's defaults (GET /api/optimizers)
 */
export function createCatalog({ registry, optimizers, datasets, limits }) {
  const byName = new Map(datasets.map((d) => [d.name, d]));

  /** 'points' (2-D classes), 'regression' (line), 'image' (MNIST-like) or 'table' (iris). */
  function datasetKind(name) {
    const info = byName.get(name);
    if (!info) return 'table';
    const shape = info.input_shape ?? [];
    if (shape.length === 3) return 'image';
    if (info.kind === 'regression') return 'regression';
    if (shape.length === 1 && shape[0] === 2) return 'points';
    return 'table';
  }

  return {
    limits: limits ?? {},
    datasets,
    /** Names in one registry group, e.g. names('activations'). */
    names: (group) => registry[group] ?? [],
    dataset: (name) => byName.get(name),
    datasetKind,
    /** Whether the dataset is generated on the fly (so noise and point count apply). */
    isGenerated: (name) => ['points', 'regression'].includes(datasetKind(name)),
    /** Hyper-parameters (with defaults) that the optimizer `kind` takes besides the learning rate. */
    optimizerParams: (kind) => optimizers[kind] ?? {},
  };
}
