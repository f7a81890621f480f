/**
 * The whole set-up as one plain object, and its two other forms: the training
 * request sent to the server and the URL fragment that makes a copied link
 * reproduce the set-up. The state has the request's shape (plus settings kept
 * for later, such as the hyper-parameters of an optimizer not chosen now);
 * `toRequest` keeps only what applies.
 */
import { cleanLayer } from './layers.js';

const URL_KEY = 'setup';

/** Sizes that suit each kind of dataset on a small classroom server. */
const SIZES = {
  points: { n_points: 400, train_size: 300, validation_size: 100, epochs: 40, batch_size: 10 },
  regression: { n_points: 400, train_size: 300, validation_size: 100, epochs: 30, batch_size: 10 },
  table: { train_size: 96, validation_size: 24, epochs: 50, batch_size: 10 },
  image: { train_size: 5000, validation_size: 1000, epochs: 3, batch_size: 20 },
};

/** The set-up a first-time visitor sees: XOR with one hidden layer, like the course starts. */
export function defaultState() {
  return {
    dataset: 'xor',
    noise: 0.1,
    ...SIZES.points,
    seed: 1,
    augment: { shift: 0, rotate: 0 },
    early_stopping: { patience: 0 },
    network: {
      layers: [
        { type: 'dense', units: 4, activation: 'tanh' },
        { type: 'dense', units: 2, activation: 'tanh' },
        { type: 'dense', units: 1, activation: 'sigmoid' },
      ],
      cost: 'cross_entropy',
      init: 'xavier',
      regularization: { l2: 0, l1: 0 },
      optimizer: { kind: 'sgd', learning_rate: 0.3 },
    },
  };
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function merge(base, over) {
  const out = { ...base };
  for (const [key, value] of Object.entries(over ?? {})) {
    out[key] = isObject(value) && isObject(base[key]) ? merge(base[key], value) : value;
  }
  return out;
}

/** A state from a training request (a preset, a saved run, a link): missing fields take defaults. */
export function fromRequest(request) {
  const state = merge(defaultState(), structuredClone(request));
  state.network.layers = state.network.layers.map((l) => ({ ...l }));
  return state;
}

/**
 * The training request for the server: only the fields that apply to the
 * chosen dataset, optimizer and layer types.
 * @param {object} state
 * @param {ReturnType<import('./registry.js').createCatalog>} catalog
 */
export function toRequest(state, catalog) {
  const request = structuredClone(state);
  if (!catalog.isGenerated(state.dataset)) {
    delete request.noise;
    delete request.n_points;
  }
  // the student's corrected digits are MNIST images: kept in the state for later, sent only with MNIST
  // (a saved run's request also names the corrections it used: the server fills those in anew)
  if (state.dataset !== 'mnist' || state.corrections == null) delete request.corrections;
  else request.corrections = { repeat: state.corrections.repeat };
  const { kind, learning_rate } = state.network.optimizer;
  const optimizer = { kind, learning_rate };
  for (const [name, fallback] of Object.entries(catalog.optimizerParams(kind))) {
    optimizer[name] = state.network.optimizer[name] ?? fallback;
  }
  request.network.optimizer = optimizer;
  request.network.layers = state.network.layers.map(cleanLayer);
  return request;
}

/**
 * The state after choosing another dataset: sizes that suit it and an output
 * layer that matches its classes (1 sigmoid unit for two classes, 1 linear
 * unit for regression), so switching datasets gives a network that can run.
 */
export function switchDataset(state, name, catalog) {
  const next = structuredClone(state);
  next.dataset = name;
  Object.assign(next, SIZES[catalog.datasetKind(name)]);
  const info = catalog.dataset(name);
  const last = next.network.layers.at(-1);
  if (last?.type === 'dense') {
    if (catalog.datasetKind(name) === 'regression') {
      Object.assign(last, { units: 1, activation: 'linear' });
    } else if (info?.classes) {
      last.units = info.classes === 2 ? 1 : info.classes;
      if (last.activation === 'linear') last.activation = 'sigmoid';
    }
  }
  return next;
}

function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** The `#setup=` value that carries `request` (base64url JSON), as /api/embed-snippet takes it. */
export const encodeSetup = (request) => toBase64Url(JSON.stringify(request));

/** The address of the current page carrying `request` in its fragment, for sharing. */
export function urlWithSetup(request, href = location.href) {
  const url = new URL(href);
  url.searchParams.delete(URL_KEY);
  url.hash = `${URL_KEY}=${encodeSetup(request)}`;
  return url.toString();
}

/**
 * The training request carried by a link (in the fragment, or in the query
 * for links made by hand), or null when there is none or it is unreadable.
 */
export function requestFromUrl(href = location.href) {
  const url = new URL(href);
  const encoded = new URLSearchParams(url.hash.slice(1)).get(URL_KEY) ?? url.searchParams.get(URL_KEY);
  if (!encoded) return null;
  try {
    const request = JSON.parse(fromBase64Url(encoded));
    return isObject(request) && isObject(request.network) && Array.isArray(request.network.layers)
      ? request
      : null;
  } catch {
    return null;
  }
}
