/**
 * "Why it learns" under the playground: the live run's per-layer gradient
 * norms and weight/activation histograms while it trains, and once it is
 * done its confusion matrix, ROC curve (two classes) and misclassified test
 * digits (MNIST). It keeps the diagnostics events of the live run only;
 * training.js hands it each event.
 */
import { clearChart } from './charts.js';
import { drawConfusion, drawGradients, drawHistograms, drawRoc } from './diagcharts.js';
import { renderMisclassified } from './misclassified.js';
import { createPainter } from './painter.js';
import { nameOf, t } from './i18n.js';

/**
 * @param {{empty: Element, content: Element, gradientField: HTMLSelectElement, gradientChart: Element,
 *   histogramEpoch: HTMLInputElement, histogramEpochValue: HTMLOutputElement, histogramChart: Element,
 *   resultsNote: Element, confusionBox: Element, confusionMatrix: Element, rocBox: Element,
 *   rocChart: Element, misclassifiedBox: Element, misclassifiedGallery: HTMLUListElement}} els
 */
export function createDiagnostics(els) {
  const painter = createPainter({ gradients: 200, histograms: 250 });
  /** @type {{request: object, gradients: object[], histograms: Map<number, object[]>, done: object|null}|null} */
  let run = null;
  let note = null;

  function layerName(index) {
    const layer = run?.request.network.layers[index];
    return t('diag.layer', { n: index + 1, type: nameOf('layer_types', layer?.type ?? '') });
  }

  function fillGradientFields() {
    const chosen = els.gradientField.value || 'biases';
    els.gradientField.replaceChildren(new Option(t('diag.fieldBiases'), 'biases'), new Option(t('diag.fieldWeights'), 'weights'));
    els.gradientField.value = chosen;
  }

  function paintGradients() {
    if (run?.gradients.length) drawGradients(els.gradientChart, run.gradients, layerName, els.gradientField.value);
  }

  /** The slider's epoch, or the newest one while the slider sits at its right end (it follows the run). */
  function paintHistograms() {
    const epoch = Number(els.histogramEpoch.value);
    const layers = run?.histograms.get(epoch);
    els.histogramEpochValue.value = layers ? String(epoch) : '';
    if (layers) drawHistograms(els.histogramChart, layers, layerName);
  }

  function setNote(key) {
    note = key;
    els.resultsNote.textContent = key ? t(key) : '';
    els.resultsNote.hidden = !key;
  }

  function showResults(done) {
    const cm = done.confusion_matrix;
    els.confusionBox.hidden = !cm;
    els.rocBox.hidden = !done.roc;
    const wrong = done.misclassified ?? [];
    els.misclassifiedBox.hidden = !done.misclassified;
    if (cm) drawConfusion(els.confusionMatrix, cm, done.per_class_accuracy ?? cm.map(() => 0));
    if (done.roc) drawRoc(els.rocChart, done.roc);
    renderMisclassified(els.misclassifiedGallery, wrong);
    els.misclassifiedBox.querySelector('.hint').textContent = wrong.length
      ? t('diag.wrongHint', { n: wrong.length }) : t('diag.noneWrong');
    if (done.status !== 'completed') setNote('diag.noResultsStopped');
    else if (!cm) setNote('diag.noResultsRegression');
    else setNote(null);
  }

  function start(request) {
    painter.reset();
    run = { request, gradients: [], histograms: new Map(), done: null };
    els.empty.hidden = true;
    els.content.hidden = false;
    // (a figure first drawn while hidden would keep Plotly's default size: hidden ones wait for their data)
    for (const el of [els.gradientChart, els.histogramChart, els.confusionMatrix, els.rocChart]) {
      if (el.offsetParent !== null) clearChart(el);
    }
    els.histogramEpoch.min = '1';
    els.histogramEpoch.max = '1';
    els.histogramEpoch.value = '1';
    els.histogramEpoch.disabled = true;
    els.histogramEpochValue.value = '';
    for (const box of [els.confusionBox, els.rocBox, els.misclassifiedBox]) box.hidden = true;
    els.misclassifiedGallery.replaceChildren();
    setNote('diag.afterRun');
  }

  function event(e) {
    if (!run) return;
    switch (e.type) {
      case 'gradients':
        run.gradients.push(e);
        painter.later('gradients', paintGradients);
        break;
      case 'histograms': {
        const following = Number(els.histogramEpoch.value) >= Number(els.histogramEpoch.max) || els.histogramEpoch.disabled;
        run.histograms.set(e.epoch, e.layers);
        els.histogramEpoch.disabled = false;
        els.histogramEpoch.min = String(Math.min(...run.histograms.keys()));
        els.histogramEpoch.max = String(e.epoch);
        if (following) els.histogramEpoch.value = String(e.epoch);
        painter.later('histograms', paintHistograms);
        break;
      }
      case 'done':
        run.done = e;
        showResults(e);
        break;
      default:
        break;
    }
  }

  els.gradientField.addEventListener('change', paintGradients);
  els.histogramEpoch.addEventListener('input', () => painter.later('histograms', paintHistograms));
  fillGradientFields();
  els.empty.hidden = false;
  els.content.hidden = true;

  return {
    /** A new live run: forget the previous one's diagnostics. */
    start,
    /** One event of the live run (only `gradients`, `histograms` and `done` matter here). */
    event,
    relabel() {
      fillGradientFields();
      setNote(note);
      if (run?.done) showResults(run.done);
    },
  };
}
