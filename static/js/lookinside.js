/**
 * "Look inside" on the Draw tab: for the digit just read, every layer's output
 * (feature maps of conv and pool layers, activations of vector layers) and
 * which input pixels pushed a chosen class up or down (gradient × input). It
 * shows the answer of the one inspect call draw.js makes per drawing change;
 * picking another class to explain asks draw.js for a new answer.
 */
import { drawActivations, drawMapGrid, drawSaliency } from './insidecharts.js';
import { createPainter } from './painter.js';
import { nameOf, t } from './i18n.js';

/**
 * @param {{content: Element, layers: Element, saliency: Element, target: HTMLSelectElement, caption: Element,
 *   empty: Element}} els  content: everything that needs a digit; empty: the hint shown without one
 * @param {{onExplain: () => void}} deps  called when the class to explain changes
 */
export function createLookInside(els, { onExplain }) {
  // Many figures per answer: while a stroke grows, only the newest answer is painted.
  const painter = createPainter({ layers: 150, saliency: 100 });
  /** @type {object|null} the last inspect answer */
  let last = null;
  let signature = '';

  function fillTargets() {
    const chosen = els.target.value;
    const predicted = last ? t('inside.predictedClass', { n: last.label }) : t('inside.predicted');
    els.target.replaceChildren(
      new Option(predicted, ''),
      ...Array.from({ length: 10 }, (_, d) => new Option(t('inside.classOption', { n: d }), String(d))),
    );
    els.target.value = chosen;
  }

  function caption(view) {
    const parts = [t('inside.layerTitle', {
      n: view.index + 1, type: nameOf('layer_types', view.type), shape: view.output_shape.join('×'),
    })];
    if (view.maps && view.channels > view.maps.length) parts.push(t('inside.someMaps', { shown: view.maps.length, total: view.channels }));
    if (view.activations && view.size > view.activations.length) parts.push(t('inside.someValues', { shown: view.activations.length, total: view.size }));
    return parts.join(' · ');
  }

  /** One figure per layer, rebuilt only when the network (its layers and shapes) changes. */
  function layerFigures(views) {
    const next = views.map((v) => `${v.index}:${v.type}:${v.output_shape}`).join('|');
    if (next !== signature) {
      signature = next;
      els.layers.replaceChildren(...views.map((view) => {
        const figure = document.createElement('figure');
        figure.className = 'inside-layer';
        figure.dataset.testid = 'inspect-layer';
        figure.dataset.layer = String(view.index);
        figure.dataset.kind = view.maps ? 'maps' : 'activations';
        const title = document.createElement('figcaption');
        const chart = document.createElement('div');
        chart.className = 'inside-chart';
        chart.dataset.testid = 'inspect-layer-chart';
        chart.setAttribute('role', 'img');
        figure.append(title, chart);
        return figure;
      }));
    }
    return [...els.layers.children];
  }

  function paintLayers(answer) {
    const figures = layerFigures(answer.layers);
    const lastIndex = answer.layers.length - 1;
    answer.layers.forEach((view, i) => {
      const figure = figures[i];
      const text = caption(view);
      figure.querySelector('figcaption').textContent = text;
      const chart = figure.querySelector('[data-testid=inspect-layer-chart]');
      chart.setAttribute('aria-label', text);
      if (view.maps) drawMapGrid(chart, view.maps, view.ranges);
      else drawActivations(chart, view.activations ?? [], { digits: i === lastIndex && view.size === 10, label: answer.label });
    });
  }

  function paintSaliency(answer) {
    const s = answer.saliency;
    els.saliency.dataset.class = String(s.class);
    // a very sure network's probability hardly moves with any pixel: say so rather than show a blank map
    els.caption.textContent = t(s.max_abs > 0 ? 'inside.saliencyCaption' : 'inside.saliencyFlat', { n: s.class });
    els.saliency.setAttribute('aria-label', t('inside.saliencyLabel', { n: s.class }));
    drawSaliency(els.saliency, answer.pixels, s);
  }

  function show(answer) {
    last = answer;
    fillTargets();
    els.empty.hidden = Boolean(answer);
    els.content.hidden = !answer;
    if (!answer) {
      painter.reset();
      signature = '';
      els.layers.replaceChildren();
      delete els.saliency.dataset.class;
      els.caption.textContent = '';
      return; // the figures are hidden; drawing into a hidden div would fix Plotly's size wrong

    }
    painter.later('saliency', () => paintSaliency(answer));
    painter.later('layers', () => paintLayers(answer));
  }

  els.target.addEventListener('change', onExplain);
  fillTargets();
  show(null);

  return {
    /** Show an inspect answer, or nothing (null) while the canvas is empty. */
    show,
    /** The class the saliency map should explain, or null for the predicted one. */
    target: () => (els.target.value === '' ? null : Number(els.target.value)),
    relabel() {
      fillTargets();
      if (last) {
        paintSaliency(last);
        paintLayers(last);
      }
    },
  };
}
