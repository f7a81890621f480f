/**
 * The "Draw a digit" tab: the drawing pad, the choice of classifier (the
 * built-in model or any saved MNIST run with a model), and predictions that
 * follow the drawing (debounced) as a label, a probability chart and the
 * 28×28 image the network was given when the server returns it.
 */
import { api, ApiError } from './api.js';
import { createDrawPad } from './drawpad.js';
import { drawPrediction } from './charts.js';
import { t } from './i18n.js';

const WHILE_DRAWING_MS = 250;
const AFTER_STROKE_MS = 40;

/**
 * @param {{canvas: HTMLCanvasElement, undo: Element, clear: Element, model: HTMLSelectElement,
 *   label: Element, status: Element, chart: Element, seen: HTMLCanvasElement}} els
 * @param {{runs: ReturnType<import('./runs.js').createRuns>}} deps
 */
export function createDrawView(els, { runs }) {
  let timer = null;
  let asked = 0;
  let status = { key: null, params: {} };

  function setStatus(key, params = {}) {
    status = { key, params };
    els.status.textContent = key ? t(key, params) : '';
  }

  function showSeen(pixels) {
    const figure = els.seen.closest('figure');
    figure.hidden = !Array.isArray(pixels) || pixels.length !== 784;
    if (figure.hidden) return;
    const ctx = els.seen.getContext('2d');
    const image = ctx.createImageData(28, 28);
    pixels.forEach((v, i) => {
      const g = Math.round(Math.max(0, Math.min(1, v)) * 255);
      image.data.set([g, g, g, 255], i * 4);
    });
    ctx.putImageData(image, 0, 0);
  }

  function showNothing() {
    els.label.textContent = '';
    drawPrediction(els.chart, Array(10).fill(0), null);
    showSeen(null);
  }

  async function predict() {
    const ticket = ++asked;
    if (pad.isEmpty()) {
      showNothing();
      setStatus(null);
      return;
    }
    try {
      const answer = await api.predict(pad.toDataURL(), els.model.value || undefined);
      if (ticket !== asked || pad.isEmpty()) return;
      els.label.textContent = String(answer.label);
      drawPrediction(els.chart, answer.probabilities, answer.label);
      showSeen(answer.pixels);
      setStatus(null);
    } catch (error) {
      if (ticket !== asked) return;
      showNothing();
      const known = { 503: 'draw.noModel', 409: 'draw.notReady', 404: 'draw.unknownModel' }[error.status];
      if (error instanceof ApiError && known) setStatus(known);
      else setStatus('draw.failed', { message: error.message });
    }
  }

  function schedule(phase) {
    clearTimeout(timer);
    if (phase === 'cleared') {
      predict();
      return;
    }
    timer = setTimeout(predict, phase === 'drawing' ? WHILE_DRAWING_MS : AFTER_STROKE_MS);
  }

  const pad = createDrawPad(els.canvas, schedule);
  els.undo.addEventListener('click', () => pad.undo());
  els.clear.addEventListener('click', () => pad.clear());
  els.model.addEventListener('change', () => schedule('stroke'));
  els.canvas.closest('[role=tabpanel]').addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === 'z') {
      event.preventDefault();
      pad.undo();
    }
  });
  showNothing();

  return {
    /**
     * Refill the classifier menu: the built-in model and every saved MNIST run
     * that has a model, this session's named by their number in the runs list.
     */
    async refreshModels() {
      let saved = [];
      try {
        saved = await api.savedRuns();
      } catch {
        // the built-in model stays available
      }
      const chosen = els.model.value;
      els.model.replaceChildren(
        new Option(t('draw.builtIn'), ''),
        ...saved.filter((r) => r.dataset === 'mnist' && r.model_epoch != null).map((r) => {
          const n = runs.numberOf(r.run_id);
          const name = n ? t('draw.runModel', { n }) : t('draw.savedModel', { id: r.run_id.slice(0, 6) });
          const accuracy = r.test_accuracy == null ? '' : ` · ${(r.test_accuracy * 100).toFixed(1)}%`;
          return new Option(name + accuracy, r.run_id);
        }),
      );
      els.model.value = [...els.model.options].some((o) => o.value === chosen) ? chosen : '';
    },
    relabel() {
      setStatus(status.key, status.params);
      return this.refreshModels();
    },
  };
}
