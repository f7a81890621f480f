/**
 * The Plotly figures that show why a run learns or doesn't: each weighted
 * layer's gradient norm over the epochs (vanishing gradients), the
 * distributions of each layer's weights and outputs (saturation), and, once
 * the run is done, the confusion matrix with per-class accuracy and the ROC
 * curve of two-class problems. They plot the engine's numbers as they came,
 * so what a student hovers over is what the engine measured.
 */
import { drawFigure, themeColor } from './charts.js';
import { t } from './i18n.js';

/** One colour per layer, in the order of the network. */
const LAYER_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#e377c2', '#8c564b', '#bcbd22', '#7f7f7f'];

/**
 * ‖∂C/∂b‖ (or ‖∂C/∂w‖) of every weighted layer per epoch on a log scale: in a
 * deep sigmoid network the first layers' lines sit orders of magnitude below
 * the last one's — they learn that much more slowly.
 * @param {Element} el
 * @param {{epoch: number, layers: {layer: number, weights: number, biases: number}[]}[]} events  the run's `gradients` events
 * @param {(layer: number) => string} layerName
 * @param {'biases'|'weights'} field
 */
export function drawGradients(el, events, layerName, field) {
  drawFigure(el, () => {
    const layers = events[0]?.layers.map((l) => l.layer) ?? [];
    const epochs = events.map((e) => e.epoch);
    const traces = layers.map((layer, i) => ({
      type: 'scatter',
      mode: epochs.length > 30 ? 'lines' : 'lines+markers',
      name: layerName(layer),
      x: epochs,
      // a norm of exactly 0 has no place on a log axis: a gap, not a crash
      y: events.map((e) => {
        const v = e.layers.find((l) => l.layer === layer)?.[field];
        return v > 0 ? v : null;
      }),
      line: { color: LAYER_COLORS[i % LAYER_COLORS.length], width: 2 },
      marker: { size: 5 },
      hovertemplate: `${layerName(layer)}<br>${t('charts.epoch')} %{x}: %{y:.3e}<extra></extra>`,
    }));
    const last = epochs.at(-1) ?? 1;
    return {
      traces,
      layout: {
        xaxis: { title: { text: t('charts.epoch') }, ...(last <= 10 && { dtick: 1 }) },
        yaxis: { type: 'log', exponentformat: 'power', title: { text: t(field === 'biases' ? 'diag.gradB' : 'diag.gradW') } },
      },
    };
  });
}

/** Bin centres and widths of a histogram given by its edges. */
function bars(hist) {
  const x = hist.counts.map((_, i) => (hist.edges[i] + hist.edges[i + 1]) / 2);
  const width = hist.counts.map((_, i) => hist.edges[i + 1] - hist.edges[i]);
  return { x, width, y: hist.counts };
}

/**
 * One row per layer: the histogram of its weights (left) and of its outputs
 * on the probe batch (right). Sigmoid units saturated by a large
 * initialization pile up at 0 and 1 on the right.
 * @param {Element} el
 * @param {{layer: number, weights: {counts: number[], edges: number[]}|null,
 *   activations: {counts: number[], edges: number[]}}[]} layers  one `histograms` event's layers
 * @param {(layer: number) => string} layerName
 */
export function drawHistograms(el, layers, layerName) {
  drawFigure(el, () => {
    const rows = Math.max(layers.length, 1);
    const colors = { weights: themeColor('--accent'), activations: '#f28e2b' };
    const extra = {
      grid: { rows, columns: 2, pattern: 'independent', xgap: 0.12, ygap: rows > 1 ? 0.55 / rows + 0.1 : 0.2 },
      height: 70 + rows * 140,
      margin: { l: 48, r: 12, t: 30, b: 28 },
      showlegend: false,
      annotations: [],
    };
    const traces = [];
    layers.forEach((row, r) => {
      for (const [c, part] of ['weights', 'activations'].entries()) {
        const k = r * 2 + c + 1;
        const suffix = k === 1 ? '' : String(k);
        const hist = row[part];
        extra[`xaxis${suffix}`] = { automargin: true, tickfont: { size: 10 }, visible: Boolean(hist) };
        extra[`yaxis${suffix}`] = { automargin: true, tickfont: { size: 10 }, visible: Boolean(hist), rangemode: 'tozero' };
        extra.annotations.push({
          xref: `x${suffix} domain`, yref: `y${suffix} domain`, x: 0, y: 1, xanchor: 'left', yanchor: 'bottom',
          showarrow: false, font: { size: 11 },
          text: t(hist ? `diag.${part}Of` : 'diag.noWeights', { layer: layerName(row.layer) }),
        });
        if (!hist) continue;
        traces.push({
          type: 'bar', ...bars(hist), xaxis: `x${suffix}`, yaxis: `y${suffix}`,
          name: t(`diag.${part}Of`, { layer: layerName(row.layer) }),
          marker: { color: colors[part], line: { width: 0 } },
          hovertemplate: `%{x:.3g}: %{y}<extra></extra>`,
        });
      }
    });
    return { traces, layout: extra };
  });
}

/**
 * The confusion matrix (rows: true class, columns: predicted class, counts
 * in the cells) and, beside it on the same rows, each class's accuracy.
 * @param {Element} el
 * @param {number[][]} matrix  k×k counts
 * @param {number[]} perClass  k accuracies
 */
export function drawConfusion(el, matrix, perClass) {
  drawFigure(el, () => {
    const labels = matrix.map((_, i) => String(i));
    const totals = matrix.map((row) => row.reduce((a, b) => a + b, 0) || 1);
    return {
      traces: [
        {
          type: 'heatmap',
          name: t('diag.confusion'),
          x: labels,
          y: labels,
          z: matrix,
          customdata: matrix.map((row, i) => row.map((v) => v / totals[i])),
          colorscale: [[0, themeColor('--bg')], [1, themeColor('--accent')]],
          showscale: false,
          texttemplate: '%{z}',
          hovertemplate: `${t('diag.trueClass')} %{y} → ${t('diag.predictedClass')} %{x}: %{z} (%{customdata:.1%})<extra></extra>`,
        },
        {
          type: 'bar',
          orientation: 'h',
          name: t('diag.perClass'),
          x: perClass,
          y: labels,
          xaxis: 'x2',
          yaxis: 'y',
          marker: { color: '#2ca02c' },
          text: perClass.map((v) => `${Math.round(v * 100)}%`),
          textposition: 'auto',
          hovertemplate: `${t('diag.trueClass')} %{y}: %{x:.1%}<extra></extra>`,
        },
      ],
      layout: {
        height: Math.min(460, 140 + labels.length * 30),
        showlegend: false,
        margin: { l: 48, r: 12, t: 12, b: 44 },
        xaxis: { type: 'category', domain: [0, 0.7], title: { text: t('diag.predictedClass') }, side: 'bottom' },
        yaxis: { type: 'category', autorange: 'reversed', title: { text: t('diag.trueClass') } },
        xaxis2: { domain: [0.76, 1], range: [0, 1], tickformat: '.0%', title: { text: t('diag.perClass') } },
      },
    };
  });
}

/**
 * The ROC curve of a two-class run (true against false positive rate as the
 * threshold sweeps), the area under it shaded and named, and chance's diagonal.
 * @param {Element} el
 * @param {{fpr: number[], tpr: number[], auc: number}} roc
 */
export function drawRoc(el, roc) {
  drawFigure(el, () => {
    const auc = roc.auc.toFixed(3);
    return {
      traces: [
        {
          type: 'scatter', mode: 'lines', name: t('diag.rocName', { auc }), x: roc.fpr, y: roc.tpr,
          line: { color: themeColor('--accent'), width: 2.5, shape: 'hv' }, fill: 'tozeroy',
          fillcolor: 'rgba(78, 163, 255, 0.15)',
          hovertemplate: `${t('diag.fpr')} %{x:.2f}, ${t('diag.tpr')} %{y:.2f}<extra></extra>`,
        },
        {
          type: 'scatter', mode: 'lines', name: t('diag.chance'), x: [0, 1], y: [0, 1],
          line: { color: themeColor('--muted'), dash: 'dash', width: 1 }, hoverinfo: 'skip',
        },
      ],
      layout: {
        title: { text: t('diag.aucTitle', { auc }), font: { size: 13 }, x: 0.5, y: 0.97 },
        margin: { l: 48, r: 12, t: 36, b: 44 },
        legend: { orientation: 'v', x: 0.98, xanchor: 'right', y: 0.04, yanchor: 'bottom', bgcolor: themeColor('--panel') },
        xaxis: { range: [0, 1], title: { text: t('diag.fpr') }, constrain: 'domain' },
        yaxis: { range: [0, 1.02], title: { text: t('diag.tpr') }, scaleanchor: 'x', constrain: 'domain' },
      },
    };
  });
}
