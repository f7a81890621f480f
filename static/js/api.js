/**
 * The REST calls of the server, in one place so every caller gets the same
 * error handling: a refusal becomes an ApiError carrying the HTTP status and
 * FastAPI's `detail`, which the form code maps back onto fields. After a course
 * launch every call also carries the launch token (launch.js).
 */
import { launchToken } from './launch.js';
import { local } from './storage.js';

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status code
   * @param {*} detail FastAPI's `detail` (a string or a list of {loc, msg, type})
   */
  constructor(status, detail) {
    super(describeDetail(detail) || `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
  }
}

/** Turn FastAPI's `detail` into one readable line for places that have no field to point at. */
function describeDetail(detail) {
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) return detail.map((d) => d.msg ?? String(d)).join('; ');
  return detail ? JSON.stringify(detail) : '';
}

const CLIENT_KEY = 'nnplay.client';
let client = null;

/**
 * This browser's random id, kept in localStorage and sent as X-Client-Id on
 * every call: the server keys per-person things by it (the run limit, the
 * "that's wrong" corrections), which an IP address shared by a whole
 * classroom cannot do. getRandomValues, unlike randomUUID, also works when the
 * page is served over plain http on a school network.
 */
export function clientId() {
  if (client) return client;
  client = local.get(CLIENT_KEY); // null when storage is blocked: an id for this page's life only
  if (!client || !/^[0-9a-f]{32}$/.test(client)) {
    client = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    local.set(CLIENT_KEY, client);
  }
  return client;
}

async function call(method, url, body) {
  const init = { method, headers: { Accept: 'application/json', 'X-Client-Id': clientId() } };
  if (launchToken()) init.headers.Authorization = `Bearer ${launchToken()}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!response.ok) throw new ApiError(response.status, data?.detail ?? data);
  return data;
}

const run = (id) => `/api/runs/${encodeURIComponent(id)}`;
const lesson = (id) => `/api/lessons/${encodeURIComponent(id)}`;

/** Thin wrappers naming each server call the UI makes. */
export const api = {
  registry: () => call('GET', '/api/registry'),
  optimizers: () => call('GET', '/api/optimizers'),
  limits: () => call('GET', '/api/limits'),
  datasets: () => call('GET', '/api/datasets'),
  presets: () => call('GET', '/api/presets'),
  savedRuns: () => call('GET', '/api/runs'),
  run: (id) => call('GET', run(id)),
  startRun: (request) => call('POST', '/api/runs', request),
  pause: (id) => call('POST', `${run(id)}/pause`),
  resume: (id) => call('POST', `${run(id)}/resume`),
  stop: (id) => call('POST', `${run(id)}/stop`),
  /**
   * The prediction plus every layer's output and a saliency map, with the
   * built-in model or a run's. `digit` is {image} or {pixels}; `target` the
   * class the saliency explains (null: the predicted one).
   */
  inspect: (digit, runId, target = null) =>
    call('POST', runId ? `${run(runId)}/inspect` : '/api/inspect', { ...digit, ...(target == null ? {} : { class: target }) }),
  kernels: () => call('GET', '/api/kernels'),
  /** One kernel (a name or a k×k matrix) over 784 pixels: feature map, ReLU, pooled, flattened. */
  convolve: (pixels, kernel) => call('POST', '/api/convolve', { pixels, kernel }),
  corrections: (limit) => call('GET', `/api/corrections?limit=${limit}`),
  correctionCount: () => call('GET', '/api/corrections/count'),
  addCorrection: (pixels, label, predicted) => call('POST', '/api/corrections', { pixels, label, predicted }),
  deleteCorrection: (id) => call('DELETE', `/api/corrections/${encodeURIComponent(id)}`),
  /** The optimizer race's test surfaces, each with a contour grid of f. */
  surfaces: () => call('GET', '/api/race/surfaces'),
  /** Every optimizer's path on a surface: {surface, learning_rate, steps, start?, optimizers?}. */
  race: (body) => call('POST', '/api/race', body),
  /** f and f′ of every activation over z ∈ [−5, 5]. */
  activationCurves: () => call('GET', '/api/activations/curves'),
  /** Histograms of z and f(z) of a 100-unit layer with this activation and initialization. */
  activationDistribution: (activation, init) =>
    call('GET', `/api/activations/distribution?${new URLSearchParams({ activation, init })}`),
  /** The lessons, titles and explanations in `lang`. */
  lessons: (lang) => call('GET', `/api/lessons?${new URLSearchParams({ lang })}`),
  /** One lesson: its request, locked paths, hidden controls, goal and texts in every language. */
  lesson: (id) => call('GET', lesson(id)),
  /** Like startRun, checked against the lesson's locked fields; counts for the launch's learner. */
  startLessonRun: (id, request) => call('POST', `${lesson(id)}/runs`, request),
  /** This learner's runs of the lesson with the server's goal verdicts; `class` for an instructor. */
  lessonResults: (id) => call('GET', `${lesson(id)}/results`),
  /** The course launch of the launch token: role, user, lesson, language. */
  ltiSession: () => call('GET', '/api/lti/session'),
  /** An instructor's lesson choice for a deep-linking launch: an HTML page that returns to the course. */
  deepLink: (body) => call('POST', '/lti/deep-link', body),
  /** The `<iframe>` HTML that embeds this set-up (and lesson) in another site. */
  embedSnippet: (setup, lessonId) =>
    call('GET', `/api/embed-snippet?${new URLSearchParams({ setup, ...(lessonId ? { lesson: lessonId } : {}) })}`),
  /** A grid of runs over chosen fields of `base`: {base, grid: {path: values}, title?}. */
  startSweep: (body) => call('POST', '/api/sweeps', body),
  /** A sweep's table; with `curves`, each run's per-epoch metrics too. */
  sweep: (id, curves = false) => call('GET', `/api/sweeps/${encodeURIComponent(id)}${curves ? '?curves=true' : ''}`),
};
