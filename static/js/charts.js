/**
 * Every Plotly figure of the app: live loss/accuracy/time curves (with
 * overlaid runs), the decision boundary of 2-D datasets, the fitted line and
 * loss surface of `line`, conv feature maps and the digit probabilities.
 * Colours come from the page's CSS variables so charts follow the theme; each
 * figure remembers how it was drawn so `redrawAll` can restyle it when the
 * theme or the language changes.
 */
import { t } from './i18n.js';

const CONFIG = { responsive: true, displaylogo: false, displayModeBar: false };
/** TensorFlow Playground's orange (class 0) → light → blue (class 1). */
const CLASS_SCALE = [[0, '#f59322'], [0.5, '#e8eaeb'], [1, '#0877bd']];
const redraws = new Map();

function css(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function layout(extra = {}) {
  // Chart text follows the page's type size, which grows from phone to projector.
  const size = Math.round(0.75 * parseFloat(getComputedStyle(document.documentElement).fontSize));
  const fg = css('--fg');
  const grid = css('--grid');
  const axis = { color: fg, gridcolor: grid, zerolinecolor: grid, automargin: true };
  // every axis of a figure with subplots (xaxis2, yaxis3 …) takes the theme too
  const more = Object.fromEntries(Object.entries(extra).filter(([key]) => /^[xy]axis\d+$/.test(key))
    .map(([key, value]) => [key, { ...axis, ...value }]));
  return {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { color: fg, family: css('--font'), size },
    margin: { l: 48, r: 12, t: 28, b: 40 },
    legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom', traceorder: 'normal' },
    ...extra,
    ...more,
    xaxis: { ...axis, ...extra.xaxis },
    yaxis: { ...axis, ...extra.yaxis },
  };
}

function draw(el, paint) {
  redraws.set(el, paint);
  paint();
}

/**
 * Draw a figure of another module with the app's theme and config. `make` is
 * called on every (re)draw, so theme colours and translations it reads are
 * current; it returns the traces and what to add to the common layout.
 * @param {Element} el
 * @param {() => {traces: object[], layout?: object}} make
 */
export function drawFigure(el, make) {
  draw(el, () => {
    const figure = make();
    window.Plotly.react(el, figure.traces, layout(figure.layout ?? {}), CONFIG);
  });
}

/** A colour of the page's theme, e.g. themeColor('--accent'). */
export const themeColor = css;

/** Re-run every chart's last drawing, e.g. after the colour scheme or the language changed. */
export function redrawAll() {
  for (const [el, paint] of redraws) {
    if (!el.isConnected) redraws.delete(el); // a figure removed from the page
    if (!el.isConnected || el.offsetParent === null) continue;
    paint();
    window.Plotly.Plots.resize(el); // a figure drawn while hidden has no size of its own yet
  }
}

/**
 * Empty a figure whose data no longer applies, keeping its axes. (Not
 * Plotly.purge: purging while Plotly still has a margin redraw pending throws.)
 */
export function clearChart(el) {
  draw(el, () => window.Plotly.react(el, [], layout(), CONFIG));
}

/**
 * @typedef {{key: string, name: string, color: string, history: object[], live?: boolean,
 *   earlyStopping?: {epoch: number, best_epoch: number}|null}} Series
 *   one run's epoch events, with the legend name and colour it is drawn in; earlyStopping when the
 *   run stopped at `epoch` and went back to the weights of `best_epoch`
 */

/** '#1f77b4' with an alpha, for fills in a run's own colour. */
function withAlpha(hex, alpha) {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/**
 * Training and validation curves of each run. The live run's validation curve
 * fills down (or up) to its training curve: the shaded gap is the lesson on
 * overfitting, growing as the network learns its training set by heart.
 * (The fill belongs to the validation trace, so there is no extra trace.)
 */
function curves(series, trainField, validationField) {
  return series.flatMap((s) => {
    const epochs = s.history.map((e) => e.epoch);
    const line = (field, dash, label) => ({
      type: 'scatter',
      mode: epochs.length > 30 ? 'lines' : 'lines+markers',
      name: `${s.name} · ${label}`,
      legendgroup: s.key,
      x: epochs,
      y: s.history.map((e) => e[field]),
      line: { color: s.color, dash, width: s.live ? 2.5 : 1.5 },
      marker: { size: 5 },
    });
    const validation = line(validationField, 'dash', t('charts.validation'));
    if (s.live) Object.assign(validation, { fill: 'tonexty', fillcolor: withAlpha(s.color, 0.16) });
    return [line(trainField, 'solid', t('charts.train')), validation];
  });
}

/**
 * Where early stopping acted: a vertical line at the epoch whose weights were
 * restored, a light band over the epochs trained after it (whose weights were
 * thrown away), and a label saying both.
 * @param {Series[]} series
 */
function earlyStopMarks(series) {
  const shapes = [];
  const annotations = [];
  series.filter((s) => s.earlyStopping).forEach((s, i) => {
    const { epoch, best_epoch: best } = s.earlyStopping;
    shapes.push(
      { type: 'rect', xref: 'x', yref: 'paper', x0: best, x1: epoch, y0: 0, y1: 1, layer: 'below',
        line: { width: 0 }, fillcolor: withAlpha(s.color, 0.08) },
      { type: 'line', name: 'early-stop', xref: 'x', yref: 'paper', x0: best, x1: best, y0: 0, y1: 1,
        line: { color: s.color, width: 2, dash: 'dot' } },
    );
    const last = Math.max(...s.history.map((e) => e.epoch), epoch);
    annotations.push({
      x: best, xref: 'x', y: 0.97 - 0.12 * i, yref: 'paper', yanchor: 'top',
      xanchor: best > last / 2 ? 'right' : 'left', xshift: best > last / 2 ? -4 : 4,
      text: t('charts.earlyStop', { best, stopped: epoch }), showarrow: false,
      font: { color: s.color }, bgcolor: css('--panel'), opacity: 0.92,
    });
  });
  return { shapes, annotations };
}

/**
 * Draw the loss, accuracy and seconds-per-epoch charts for the given runs.
 * @param {{loss: Element, accuracy: Element, time: Element}} els
 * @param {Series[]} series
 */
export function drawCurves(els, series) {
  const last = Math.max(0, ...series.flatMap((s) => s.history.map((e) => e.epoch)));
  // whole epochs only: with few of them Plotly would otherwise tick at 0.5
  const epochAxis = () => ({ title: { text: t('charts.epoch') }, rangemode: 'tozero', ...(last <= 10 && { dtick: 1 }) });
  draw(els.loss, () =>
    window.Plotly.react(els.loss, curves(series, 'train_loss', 'validation_loss'),
      layout({ xaxis: epochAxis(), yaxis: { title: { text: t('charts.lossAxis') }, rangemode: 'tozero' }, ...earlyStopMarks(series) }), CONFIG));
  draw(els.accuracy, () =>
    window.Plotly.react(els.accuracy, curves(series, 'train_accuracy', 'validation_accuracy'),
      layout({ xaxis: epochAxis(), yaxis: { title: { text: t('charts.accuracyAxis') }, range: [0, 1.02] }, ...earlyStopMarks(series) }), CONFIG));
  draw(els.time, () =>
    window.Plotly.react(els.time, series.map((s) => ({
      type: 'bar',
      name: s.name,
      x: s.history.map((e) => e.epoch),
      y: s.history.map((e) => e.seconds),
      marker: { color: s.color },
    })), layout({ barmode: 'group', xaxis: epochAxis(), yaxis: { title: { text: t('charts.seconds') } }, showlegend: series.length > 1 }), CONFIG));
}

function pointsTrace(points, name, outline) {
  return {
    type: 'scatter',
    mode: 'markers',
    name,
    x: points.map((p) => p[0]),
    y: points.map((p) => p[1]),
    marker: {
      color: points.map((p) => p[2]),
      colorscale: CLASS_SCALE,
      cmin: 0,
      cmax: 1,
      size: 7,
      line: { color: outline, width: 1.5 },
    },
  };
}

/**
 * The network's class-1 probability over the input plane as a heatmap, with
 * the training points (white outline) and test points (dark outline) on top.
 * @param {Element} el
 * @param {{train: number[][], test: number[][]}} points  [x, y, label] triples
 * @param {{x: number[], y: number[], z: number[][]}|null} boundary
 */
export function drawBoundary(el, points, boundary) {
  draw(el, () => {
    const traces = [];
    if (boundary) {
      traces.push({
        type: 'heatmap', x: boundary.x, y: boundary.y, z: boundary.z, zmin: 0, zmax: 1,
        colorscale: CLASS_SCALE, opacity: 0.85, zsmooth: 'fast', name: t('charts.probability'),
        colorbar: { thickness: 10, len: 0.8 },
      });
    }
    traces.push(pointsTrace(points?.train ?? [], t('charts.trainPoints'), '#ffffff'));
    traces.push(pointsTrace(points?.test ?? [], t('charts.testPoints'), '#222222'));
    const empty = !boundary && !points; // before a run: the unit square rather than Plotly's default axes
    const range = empty ? [-1, 1] : undefined;
    window.Plotly.react(el, traces, layout({
      xaxis: { range }, yaxis: { range, scaleanchor: 'x' }, margin: { l: 36, r: 8, t: 8, b: 32 },
    }), CONFIG);
  });
}

function extent(values) {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = (hi - lo || 1) * 0.15;
  return [lo - pad, hi + pad];
}

/**
 * The `line` dataset's points and the function the network has fitted so far,
 * named y = m x + b when the network is one linear neuron.
 * @param {Element} el
 * @param {number[][]} points [x, y] pairs
 * @param {{x: number[], y: number[]}|null} fit   the network's output over x
 * @param {{m: number, b: number}|null} line
 */
export function drawLineFit(el, points, fit, line) {
  draw(el, () => {
    const traces = [{ type: 'scatter', mode: 'markers', name: t('charts.points'), x: points.map((p) => p[0]), y: points.map((p) => p[1]), marker: { color: css('--accent'), size: 6 } }];
    if (fit) {
      const name = line
        ? t('charts.fit', { m: line.m.toFixed(3), sign: line.b < 0 ? '−' : '+', b: Math.abs(line.b).toFixed(3) })
        : t('charts.network');
      traces.push({ type: 'scatter', mode: 'lines', name, x: fit.x, y: fit.y, line: { color: css('--danger'), width: 3 } });
    }
    window.Plotly.react(el, traces, layout(), CONFIG);
  });
}

/**
 * The quadratic cost C(m, b) = Σ (m x + b − y)² / 2n of a one-neuron linear
 * network over the (m, b) plane, with the path gradient descent took through
 * it (one point per epoch). It is the course's picture of descent on a bowl;
 * the surface depends only on the data, so the browser can draw it.
 * @param {Element} el
 * @param {number[][]} points [x, y] pairs
 * @param {{m: number, b: number}[]} path
 */
export function drawLossSurface(el, points, path) {
  draw(el, () => {
    const n = points.length || 1;
    const mean = (f) => points.reduce((s, p) => s + f(p), 0) / n;
    const mx = mean((p) => p[0]);
    const my = mean((p) => p[1]);
    const slope = mean((p) => (p[0] - mx) * (p[1] - my)) / (mean((p) => (p[0] - mx) ** 2) || 1);
    const best = { m: slope, b: my - slope * mx };
    const ms = extent([best.m, ...path.map((s) => s.m), best.m - 1, best.m + 1]);
    const bs = extent([best.b, ...path.map((s) => s.b), best.b - 1, best.b + 1]);
    const steps = 41;
    const axis = ([lo, hi]) => Array.from({ length: steps }, (_, i) => lo + ((hi - lo) * i) / (steps - 1));
    const m = axis(ms);
    const b = axis(bs);
    const z = b.map((bj) => m.map((mi) => mean((p) => (mi * p[0] + bj - p[1]) ** 2) / 2));
    const traces = [
      { type: 'contour', x: m, y: b, z, colorscale: 'Viridis', ncontours: 20, showscale: false, name: t('charts.cost') },
      { type: 'scatter', mode: 'lines+markers', name: t('charts.path'), x: path.map((s) => s.m), y: path.map((s) => s.b), line: { color: '#ffffff', width: 2 }, marker: { size: 5, color: '#ff5252' } },
    ];
    window.Plotly.react(el, traces, layout({ xaxis: { title: { text: 'm' } }, yaxis: { title: { text: 'b' } }, showlegend: false }), CONFIG);
  });
}

/**
 * One conv/pool layer's feature maps for the probe image as a grid of small
 * greyscale heatmaps (at most 16 channels). The figure is created on first use.
 * @param {Element} container  holds one figure per layer
 * @param {number} layer       index into the network's layers
 * @param {string} title
 * @param {number[][][]} maps  one 2-D array of 0..255 per channel
 */
export function drawFeatureMaps(container, layer, title, maps) {
  let figure = container.querySelector(`[data-layer="${layer}"]`);
  if (!figure) {
    figure = document.createElement('figure');
    figure.dataset.layer = String(layer);
    figure.className = 'feature-map';
    figure.append(document.createElement('figcaption'), document.createElement('div'));
    const after = [...container.children].find((f) => Number(f.dataset.layer) > layer);
    container.insertBefore(figure, after ?? null);
  }
  figure.querySelector('figcaption').textContent = title;
  const el = figure.querySelector('div');
  el.dataset.testid = 'feature-map-chart';
  draw(el, () => {
    const shown = maps.slice(0, 16);
    const columns = Math.min(shown.length, 8);
    const rows = Math.ceil(shown.length / columns);
    const extra = { grid: { rows, columns, pattern: 'independent', xgap: 0.04, ygap: 0.06 }, margin: { l: 4, r: 4, t: 4, b: 4 }, showlegend: false, height: 24 + rows * 80 };
    const traces = shown.map((z, i) => {
      const k = i === 0 ? '' : String(i + 1);
      extra[`xaxis${k}`] = { visible: false, constrain: 'domain' };
      extra[`yaxis${k}`] = { visible: false, autorange: 'reversed', scaleanchor: `x${k}` };
      return { type: 'heatmap', z, xaxis: `x${k}`, yaxis: `y${k}`, zmin: 0, zmax: 255, colorscale: 'Greys', reversescale: true, showscale: false, hovertemplate: '%{z}<extra></extra>' };
    });
    window.Plotly.react(el, traces, layout(extra), CONFIG);
  });
}

/**
 * The ten digit probabilities as bars, the predicted one highlighted.
 * @param {Element} el
 * @param {number[]} probabilities
 * @param {number|null} label  null while nothing is drawn (all bars 0)
 */
export function drawPrediction(el, probabilities, label) {
  draw(el, () => {
    const digits = probabilities.map((_, i) => String(i));
    window.Plotly.react(el, [{
      type: 'bar',
      x: digits,
      y: probabilities,
      marker: { color: digits.map((_, i) => (i === label ? css('--accent') : css('--muted'))) },
      hovertemplate: '%{x}: %{y:.1%}<extra></extra>',
    }], layout({ xaxis: { type: 'category', title: { text: t('draw.digit') } }, yaxis: { range: [0, 1], tickformat: '.0%' }, showlegend: false }), CONFIG);
  });
}
