/**
 * Output shape and parameter count of every layer, computed in the browser so
 * that an impossible layer (a 5×5 kernel on a 3×3 map …) is flagged on that
 * layer while the student builds the network, before any request is sent.
 * The rules mirror the engine's: a dense layer after an image flattens it
 * implicitly, `padding: "same"` keeps ceil(size / stride).
 */

/**
 * @typedef {{key: string, params?: object, field?: string}} ShapeProblem
 *   an i18n key and its parameters, and the layer field it is about
 * @typedef {{shape: number[]|null, params: number, problem: ShapeProblem|null}} LayerShape
 */

const product = (shape) => shape.reduce((a, b) => a * b, 1);
const isCount = (v) => Number.isInteger(v) && v >= 1;

/** Formats a shape for the diagram, e.g. [8, 26, 26] → "8×26×26". */
export function formatShape(shape) {
  return shape ? shape.join('×') : '—';
}

function needCounts(layer, keys) {
  const bad = keys.find((k) => !isCount(layer[k]));
  return bad ? { key: 'shape.positiveInt', field: bad, params: { name: bad } } : null;
}

function needImage(shape) {
  return shape.length === 3 ? null : { key: 'shape.needsImage', params: { shape: formatShape(shape) } };
}

/** One layer: returns its output shape and parameter count, or the problem that makes it impossible. */
function layerShape(layer, input) {
  const fail = (problem) => ({ shape: null, params: 0, problem });
  switch (layer.type) {
    case 'dense': {
      const problem = needCounts(layer, ['units']);
      if (problem) return fail(problem);
      return { shape: [layer.units], params: (product(input) + 1) * layer.units, problem: null };
    }
    case 'conv2d': {
      const problem = needImage(input) ?? needCounts(layer, ['filters', 'kernel', 'stride']);
      if (problem) return fail(problem);
      const [channels, h, w] = input;
      const { filters, kernel, stride } = layer;
      const same = layer.padding === 'same';
      const pad = same ? 0 : Number(layer.padding ?? 0);
      if (!same && (kernel > h + 2 * pad || kernel > w + 2 * pad)) {
        return fail({ key: 'shape.kernelTooBig', field: 'kernel', params: { k: kernel, h, w } });
      }
      const out = (n) => (same ? Math.ceil(n / stride) : Math.floor((n + 2 * pad - kernel) / stride) + 1);
      return {
        shape: [filters, out(h), out(w)],
        params: filters * (channels * kernel * kernel + 1),
        problem: null,
      };
    }
    case 'maxpool': {
      const stride = layer.stride ?? layer.size;
      const problem = needImage(input) ?? needCounts({ ...layer, stride }, ['size', 'stride']);
      if (problem) return fail(problem);
      const [channels, h, w] = input;
      const { size } = layer;
      if (size > h || size > w) return fail({ key: 'shape.poolTooBig', field: 'size', params: { size, h, w } });
      const out = (n) => Math.floor((n - size) / stride) + 1;
      return { shape: [channels, out(h), out(w)], params: 0, problem: null };
    }
    case 'flatten':
      return { shape: [product(input)], params: 0, problem: null };
    case 'dropout': {
      const ok = typeof layer.rate === 'number' && layer.rate >= 0 && layer.rate < 1;
      if (!ok) return fail({ key: 'shape.rate', field: 'rate', params: {} });
      return { shape: input, params: 0, problem: null };
    }
    case 'batchnorm': {
      const features = input.length === 3 ? input[0] : product(input);
      return { shape: input, params: 2 * features, problem: null };
    }
    default:
      return fail({ key: 'shape.unknownType', params: { type: layer.type } });
  }
}

/**
 * Every layer's output shape and parameters for an input of `inputShape`, and
 * whether the whole network stays within the server's limits (max_layers,
 * max_parameters of /api/limits). Layers after an impossible one get a null
 * shape and no problem of their own.
 * @returns {{layers: LayerShape[], total: number, network: ShapeProblem|null, valid: boolean}}
 */
export function analyseNetwork(inputShape, layers, limits = {}) {
  let shape = inputShape;
  const out = layers.map((layer) => {
    if (!shape) return { shape: null, params: 0, problem: null };
    const result = layerShape(layer, shape);
    shape = result.shape;
    return result;
  });
  const total = out.reduce((sum, l) => sum + l.params, 0);
  let network = null;
  if (layers.length > (limits.max_layers ?? Infinity)) {
    network = { key: 'shape.tooManyLayers', params: { n: layers.length, max: limits.max_layers } };
  } else if (total > (limits.max_parameters ?? Infinity)) {
    network = { key: 'shape.tooManyParams', params: { n: total.toLocaleString(), max: limits.max_parameters.toLocaleString() } };
  }
  return {
    layers: out,
    total,
    network,
    valid: inputShape != null && network === null && out.every((l) => l.shape !== null),
  };
}
