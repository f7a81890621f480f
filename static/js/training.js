/**
 * The live run: start, pause/resume and stop buttons, the queue position and
 * progress, and each event of the run turned into chart updates (curves,
 * decision boundary, fitted line and its loss surface, feature maps).
 */
import { api, ApiError } from './api.js';
import { followRun } from './socket.js';
import { createPainter } from './painter.js';
import { clearChart, drawBoundary, drawCurves, drawFeatureMaps, drawLineFit, drawLossSurface } from './charts.js';
import { t, nameOf } from './i18n.js';

/**
 * @param {object} els  the elements of the training panel, by id (see playground.html)
 * @param {object} deps
 * @param {() => object|null} deps.prepare  the request to send, or null when the set-up has problems (already shown)
 * @param {(error: ApiError) => void} deps.onRefused  show a 422 next to the fields it names
 * @param {ReturnType<import('./runs.js').createRuns>} deps.runs
 * @param {ReturnType<import('./registry.js').createCatalog>} deps.catalog
 * @param {(id: string, request: object) => void} [deps.onRunStart]  a new live run (other panels reset for it)
 * @param {(event: object) => void} [deps.onRunEvent]  each event of the live run, after this module's own handling
 * @param {(request: object) => Promise<{run_id: string}>} [deps.submit]  starts the run (a lesson's own endpoint in a lesson)
 */
export function createTraining(els, { prepare, onRefused, runs, catalog, onRunStart = () => {}, onRunEvent = () => {},
  submit = api.startRun }) {
  /** @type {{id: string, request: object, kind: string, points: *, path: object[], paused: boolean, stream: *, stats: object}|null} */
  let live = null;

  const curveEls = { loss: els.lossChart, accuracy: els.accuracyChart, time: els.timeChart };

  // The decision boundary is the costliest figure: it is redrawn less often.
  const painter = createPainter({ boundary: 400, surface: 300 });
  const later = painter.later;

  let status = { key: null, params: {} };

  /** Show a status line by its i18n key, remembered so a language change can re-translate it. */
  function setStatus(key, params = {}) {
    status = { key, params };
    els.runStatus.textContent = key ? t(key, params) : '';
  }

  function setError(message) {
    els.runError.textContent = message ?? '';
    els.runError.hidden = !message;
  }

  /** 'idle', 'queued' (can be stopped) or 'running' (can also be paused). */
  function setPhase(phase) {
    els.trainStart.disabled = phase !== 'idle';
    els.trainPause.disabled = phase !== 'running';
    els.trainStop.disabled = phase === 'idle';
    setPaused(false);
  }

  function setPaused(paused) {
    if (live) live.paused = paused;
    els.trainPause.setAttribute('aria-pressed', String(paused));
    els.trainPause.textContent = t(paused ? 'train.resume' : 'train.pause');
  }

  function renderStats() {
    const rows = Object.entries(live?.stats ?? {}).filter(([, v]) => v != null);
    els.runStats.replaceChildren(
      ...rows.flatMap(([key, value]) => {
        const dt = document.createElement('dt');
        dt.textContent = t(`stats.${key}`);
        const dd = document.createElement('dd');
        dd.dataset.testid = `stat-${key}`;
        dd.textContent = value;
        return [dt, dd];
      }),
    );
  }

  /** Show the figures that apply to a dataset kind and a set of layers, hide the others. */
  function showFiguresFor(dataset, layers) {
    const kind = catalog.datasetKind(dataset);
    els.boundaryBox.hidden = kind !== 'points';
    els.lineBox.hidden = kind !== 'regression';
    els.surfaceBox.hidden = true; // shown once the run reports (m, b): one linear neuron
    els.accuracyBox.hidden = kind === 'regression';
    els.featureMapsBox.hidden = !layers.some((l) => l.type === 'conv2d' || l.type === 'maxpool');
    if (kind === 'points' && !live) drawBoundary(els.decisionBoundary, null, null); // axes, not a blank
    return kind;
  }

  function resetFigures() {
    painter.reset();
    for (const el of [els.decisionBoundary, els.lineChart, els.lossSurface]) clearChart(el);
    els.featureMaps.replaceChildren();
  }

  const fixed = (v, digits = 4) => (v == null ? null : Number(v).toFixed(digits));

  function onEvent(event) {
    runs.record(live.id, event);
    switch (event.type) {
      case 'queued':
        setStatus('status.queuedAt', { position: event.position });
        break;
      case 'started':
        setPhase('running');
        setStatus('status.running');
        Object.assign(live.stats, {
          parameters: event.parameters?.toLocaleString(), n_train: event.n_train, n_validation: event.n_validation,
          n_corrections: event.n_corrections ?? null, // only when the run adds the student's corrected digits
        });
        live.points = event.points ?? null;
        if (live.kind === 'points') later('boundary', () => drawBoundary(els.decisionBoundary, live.points, null));
        if (live.kind === 'regression' && live.points) later('line', () => drawLineFit(els.lineChart, live.points, null, null));
        renderStats();
        break;
      case 'epoch':
        if (!live.paused) setStatus('status.running');
        Object.assign(live.stats, {
          train_loss: fixed(event.train_loss),
          validation_loss: fixed(event.validation_loss),
          validation_accuracy: event.validation_accuracy == null ? null : `${(event.validation_accuracy * 100).toFixed(1)}%`,
          corrections_accuracy: event.corrections_accuracy == null ? null : `${(event.corrections_accuracy * 100).toFixed(1)}%`,
          samples_per_second: Math.round(event.samples_per_second ?? 0).toLocaleString(),
        });
        redrawCurves();
        if (live.kind === 'points' && event.boundary) {
          later('boundary', () => drawBoundary(els.decisionBoundary, live.points, event.boundary));
        }
        if (live.kind === 'regression' && live.points) {
          later('line', () => drawLineFit(els.lineChart, live.points, event.fit ?? null, event.line ?? null));
          if (event.line) {
            live.path.push(event.line);
            els.surfaceBox.hidden = false;
            later('surface', () => drawLossSurface(els.lossSurface, live.points, live.path));
          }
        }
        break;
      case 'retried': // Redis mode: the worker was lost; another goes on from the last checkpoint
        setStatus('status.retried', { epoch: event.after_epoch });
        break;
      case 'paused':
      case 'resumed':
        setPaused(event.type === 'paused');
        setStatus(event.type === 'paused' ? 'status.paused' : 'status.running');
        break;
      case 'feature_maps': {
        const layer = live.request.network.layers[event.layer];
        els.featureMapsBox.hidden = false;
        later(`maps${event.layer}`, () => drawFeatureMaps(els.featureMaps, event.layer,
          t('charts.featureMapTitle', { n: event.layer + 1, type: nameOf('layer_types', layer?.type ?? ''), epoch: event.epoch }),
          event.maps));
        break;
      }
      case 'done':
        live.stats.test_accuracy = event.test_accuracy == null ? null : `${(event.test_accuracy * 100).toFixed(2)}%`;
        renderStats();
        setStatus(`status.${event.status}`);
        if (event.status === 'failed') setError(event.error ?? t('status.failed'));
        finish();
        break;
      default:
        break;
    }
  }

  function finish() {
    live.stream?.close();
    live.stream = null;
    setPhase('idle');
  }

  /**
   * Redraw (soon) the curves of the live run and every overlaid run; the epoch
   * counter, progress bar and figures change in the same paint, so the counter
   * always names the last epoch the charts show.
   */
  function redrawCurves() {
    later('curves', () => {
      const series = runs.series(live?.id);
      drawCurves(curveEls, series);
      renderStats();
      const shown = series.find((s) => s.live)?.history.at(-1)?.epoch;
      els.epochCounter.textContent = shown == null ? '' : String(shown);
      els.trainProgress.value = shown ?? 0;
    });
  }

  async function start() {
    setError(null);
    const request = prepare();
    if (!request) {
      setError(t('errors.fixFirst'));
      return;
    }
    els.trainStart.disabled = true;
    setStatus('status.sending');
    let answer;
    try {
      answer = await submit(request);
    } catch (error) {
      els.trainStart.disabled = false;
      setStatus(null);
      if (error instanceof ApiError && error.status === 422) {
        onRefused(error);
        setError(t('errors.refused', { message: error.message }));
      } else {
        setError(t('errors.network', { message: error.message }));
      }
      return;
    }
    if (live?.stream) live.stream.close();
    live = { id: answer.run_id, request, kind: showFiguresFor(request.dataset, request.network.layers), points: null, path: [], paused: false, stream: null, stats: {} };
    runs.add(live.id, request);
    resetFigures();
    els.epochCounter.textContent = '';
    els.epochTotal.textContent = String(request.epochs);
    els.trainProgress.max = request.epochs;
    els.trainProgress.value = 0;
    renderStats();
    setPhase('queued');
    setStatus('status.queued');
    redrawCurves();
    const run = live;
    onRunStart(run.id, request);
    run.stream = followRun(run.id, (event) => {
      if (live !== run) return;
      onEvent(event);
      onRunEvent(event);
    }, (state) => {
      if (state === 'retrying') setStatus('status.reconnecting');
      if (state === 'lost' || state === 'refused') {
        setError(t(state === 'lost' ? 'errors.connectionLost' : 'errors.launchRefused'));
        finish();
      }
    });
  }

  async function togglePause() {
    if (!live) return;
    const pausing = !live.paused;
    try {
      await (pausing ? api.pause(live.id) : api.resume(live.id));
      setPaused(pausing);
      setStatus(pausing ? 'status.paused' : 'status.running');
    } catch (error) {
      setError(error.message);
    }
  }

  async function stop() {
    if (!live) return;
    els.trainStop.disabled = true;
    setStatus('status.stopping'); // before the answer: the run's `done` may arrive first
    try {
      await api.stop(live.id);
    } catch (error) {
      els.trainStop.disabled = false;
      setError(error.message);
    }
  }

  els.trainStart.addEventListener('click', start);
  els.trainPause.addEventListener('click', togglePause);
  els.trainStop.addEventListener('click', stop);

  return {
    redrawCurves,
    showFiguresFor,
    /** Re-apply the translated texts that this module writes itself. */
    relabel() {
      setPaused(live?.paused ?? false);
      setStatus(status.key, status.params);
      renderStats();
    },
  };
}
