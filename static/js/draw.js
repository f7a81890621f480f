/**
 * The "Draw a digit" tab: the drawing pad, the choice of classifier (the
 * built-in model or any saved MNIST run with a model), and readings that
 * follow the drawing (debounced) as a label, a probability chart and the
 * 28×28 image the network was given. One inspect call per drawing change
 * answers both the prediction and what the look-inside panel, the
 * convolution explorer and the corrections need, which get it through
 * `onAnswer`.
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
 * @param {object} deps
 * @param {ReturnType<import('./runs.js').createRuns>} deps.runs
 * @param {() => number|null} deps.target  the class the saliency map explains (null: the predicted one)
 * @param {(answer: object|null) => void} deps.onAnswer  each inspect answer shown, null when nothing is
 */
export function createDrawView(els, { runs, target, onAnswer }) {
  let timer = null;
  let asked = 0;
  /** @type {number[]|null} the 784 pixels of the answer shown */
  let pixels = null;
  let status = { key: null, params: {} };

  function setStatus(key, params = {}) {
    status = { key, params };
    els.status.textContent = key ? t(key, params) : '';
  }

  /** aria-busy on the label while a reading of the newest drawing is still to come. */
  function setBusy(busy) {
    els.label.setAttribute('aria-busy', String(busy));
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
    pixels = null;
    els.label.textContent = '';
    drawPrediction(els.chart, Array(10).fill(0), null);
    showSeen(null);
    onAnswer(null);
  }

  /**
   * Read the drawing. `again` re-asks about the digit already read (another
   * class to explain): its 28×28 pixels are sent rather than the canvas, so
   * the answer is about exactly the image shown.
   */
  async function predict(again = false) {
    const ticket = ++asked;
    if (pad.isEmpty()) {
      showNothing();
      setStatus(null);
      setBusy(false);
      return;
    }
    setBusy(true);
    const digit = again && pixels ? { pixels } : { image: pad.toDataURL() };
    try {
      const answer = await api.inspect(digit, els.model.value || undefined, target());
      if (ticket !== asked || pad.isEmpty()) return;
      pixels = answer.pixels;
      els.label.textContent = String(answer.label);
      drawPrediction(els.chart, answer.probabilities, answer.label);
      showSeen(answer.pixels);
      setStatus(null);
      onAnswer(answer);
      setBusy(timer !== null);
    } catch (error) {
      if (ticket !== asked) return;
      setBusy(timer !== null);
      showNothing();
      const known = { 503: 'draw.noModel', 409: 'draw.notReady', 404: 'draw.unknownModel' }[error.status];
      if (error instanceof ApiError && known) setStatus(known);
      else setStatus('draw.failed', { message: error.message });
    }
  }

  function schedule(phase) {
    clearTimeout(timer);
    timer = null;
    setBusy(true);
    if (phase === 'cleared') {
      predict();
      return;
    }
    timer = setTimeout(() => {
      timer = null;
      predict();
    }, phase === 'drawing' ? WHILE_DRAWING_MS : AFTER_STROKE_MS);
  }

  const pad = createDrawPad(els.canvas, schedule);
  els.undo.addEventListener('click', () => pad.undo());
  els.clear.addEventListener('click', () => pad.clear());
  els.model.addEventListener('change', () => schedule('stroke'));
  els.canvas.closest('[role=tabpanel]').addEventListener('keydown', (event) => {
    // in a text field (the explorer's kernel) Ctrl+Z undoes the typing, not a stroke
    if (event.target.closest('input, select, textarea')) return;
    if ((event.ctrlKey || event.metaKey) && event.key === 'z') {
      event.preventDefault();
      pad.undo();
    }
  });
  showNothing();
  setBusy(false);

  return {
    /** Read the same digit again, e.g. to explain another class. */
    again() {
      if (timer === null) predict(true); // else the drawing changed: its reading is on its way
    },
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
