/**
 * The Plotly figures that show what happens inside the network for one drawn
 * digit: a layer's feature maps as a grid of small heatmaps, a vector layer's
 * activations as bars, the gradient × input saliency over the digit, and the
 * convolution explorer's stages. Every figure plots the server's numbers as
 * they came (one trace per map, `z` = the map), so what a student hovers over
 * is what the network computed.
 */
import { drawFigure, themeColor } from './charts.js';
import { t } from './i18n.js';

/** Black → white like the drawing canvas and MNIST: ink is bright. */
const INK = [[0, '#000000'], [1, '#ffffff']];
/** Negative blue, zero white, positive red (ColorBrewer RdBu). */
const DIVERGING = [[0, '#2166ac'], [0.25, '#92c5de'], [0.5, '#f7f7f7'], [0.75, '#f4a582'], [1, '#b2182b']];
/** The same, see-through around zero so the digit under it shows. */
const OVERLAY = [[0, 'rgba(33,102,172,0.95)'], [0.35, 'rgba(146,197,222,0.7)'], [0.5, 'rgba(247,247,247,0)'],
  [0.65, 'rgba(244,165,130,0.7)'], [1, 'rgba(178,24,43,0.95)']];
/** Map pixels between two tiles of a grid. */
const GAP = 2;
const HIDDEN_AXIS = { visible: false, fixedrange: true, showgrid: false, zeroline: false };

/**
 * Columns for `n` tiles of `w` map pixels in a figure `width` px wide: tiles
 * of at least 36–64 px (small maps may be smaller on screen), at most 16 a
 * row, and rows as even as they can be.
 */
function columnsFor(n, w, width) {
  const tile = Math.min(64, Math.max(36, w * 2.5));
  const most = Math.max(1, Math.min(16, Math.floor((width || 600) / tile)));
  return Math.ceil(n / Math.ceil(n / most));
}

/**
 * A conv/pool layer's maps, one heatmap trace per channel laid out in a grid
 * on shared axes (one pair of axes draws far faster than a subplot per map).
 * The maps are 0..255 over each map's own range; hovering shows the real
 * value min + q/255·(max − min).
 * @param {Element} el
 * @param {number[][][]} maps  2-D arrays of 0..255, one per channel
 * @param {number[][]|null} ranges  [min, max] of each map
 */
export function drawMapGrid(el, maps, ranges) {
  drawFigure(el, () => {
    const h = maps[0]?.length ?? 1;
    const w = maps[0]?.[0]?.length ?? 1;
    const columns = columnsFor(maps.length, w, el.clientWidth);
    const rows = Math.ceil(maps.length / columns);
    const traces = maps.map((z, i) => {
      const [lo, hi] = ranges?.[i] ?? [0, 255];
      const name = t('inside.channel', { n: i + 1 });
      return {
        type: 'heatmap',
        name,
        z,
        x0: (i % columns) * (w + GAP),
        y0: Math.floor(i / columns) * (h + GAP),
        dx: 1,
        dy: 1,
        zmin: 0,
        zmax: 255,
        colorscale: INK,
        showscale: false,
        customdata: z.map((row) => row.map((q) => lo + (q / 255) * (hi - lo))),
        hovertemplate: `${name}<br>%{customdata:.4g}<extra></extra>`,
      };
    });
    const width = el.clientWidth || 600;
    const height = Math.round(Math.min(520, 8 + (width * rows * (h + GAP)) / (columns * (w + GAP))));
    return {
      traces,
      layout: {
        height,
        margin: { l: 2, r: 2, t: 2, b: 2 },
        showlegend: false,
        xaxis: { ...HIDDEN_AXIS, range: [-0.5, columns * (w + GAP) - GAP - 0.5] },
        yaxis: { ...HIDDEN_AXIS, range: [rows * (h + GAP) - GAP - 0.5, -0.5], scaleanchor: 'x' },
      },
    };
  });
}

/**
 * A vector layer's outputs as bars, one per unit (the output layer's named by
 * digit, the predicted one highlighted).
 * @param {Element} el
 * @param {number[]} values
 * @param {{digits?: boolean, label?: number|null}} [options]
 */
export function drawActivations(el, values, { digits = false, label = null } = {}) {
  drawFigure(el, () => {
    const x = values.map((_, i) => (digits ? String(i) : i + 1));
    const muted = themeColor('--muted');
    return {
      traces: [{
        type: 'bar',
        x,
        y: values,
        marker: { color: digits ? x.map((_, i) => (i === label ? themeColor('--accent') : muted)) : themeColor('--accent') },
        hovertemplate: `${t(digits ? 'inside.digitValue' : 'inside.unitValue', { n: '%{x}' })}: %{y:.4g}<extra></extra>`,
      }],
      layout: {
        height: 150,
        bargap: values.length > 40 ? 0 : 0.15,
        margin: { l: 44, r: 8, t: 6, b: 30 },
        showlegend: false,
        xaxis: { type: digits ? 'category' : 'linear', title: { text: t(digits ? 'draw.digit' : 'inside.unit') }, fixedrange: true },
        yaxis: { fixedrange: true },
      },
    };
  });
}

/**
 * Gradient × input over the digit: the 28×28 input in grey (trace 0) and on
 * top the saliency (trace 1) on a diverging scale from −max_abs to max_abs,
 * see-through where it is near zero.
 * @param {Element} el
 * @param {number[]} pixels  784 values in 0..1
 * @param {{class: number, values: number[][], max_abs: number}} saliency
 */
export function drawSaliency(el, pixels, saliency) {
  drawFigure(el, () => {
    const input = Array.from({ length: 28 }, (_, r) => pixels.slice(r * 28, r * 28 + 28));
    const m = saliency.max_abs > 0 ? saliency.max_abs : 1;
    return {
      traces: [
        {
          type: 'heatmap', name: t('inside.input'), z: input, zmin: 0, zmax: 1,
          colorscale: [[0, '#000000'], [1, '#8a8a8a']], showscale: false, hoverinfo: 'skip',
        },
        {
          type: 'heatmap', name: t('inside.saliency'), z: saliency.values, zmin: -m, zmax: m, colorscale: OVERLAY,
          // the sign is what matters to a student; the size (often tiny) is in the hover
          colorbar: { thickness: 10, len: 0.9, outlinewidth: 0, tickvals: [-m, 0, m], ticktext: [t('inside.down'), '0', t('inside.up')] },
          hovertemplate: `${t('inside.saliencyHover', { n: saliency.class })}: %{z:.3g}<extra></extra>`,
        },
      ],
      layout: {
        height: 300,
        margin: { l: 4, r: 4, t: 4, b: 4 },
        showlegend: false,
        xaxis: { ...HIDDEN_AXIS, range: [-0.5, 27.5], constrain: 'domain' },
        yaxis: { ...HIDDEN_AXIS, range: [27.5, -0.5], scaleanchor: 'x', constrain: 'domain' },
      },
    };
  });
}

/**
 * One stage of the convolution explorer as a heatmap on the diverging scale
 * ±`scale`, shared by all stages so that what ReLU and pooling remove shows.
 * @param {Element} el
 * @param {number[][]} z
 * @param {number} scale  the largest |value| of the feature map
 * @param {{strip?: boolean}} [options]  strip: a 1×n row (the flattened vector)
 */
export function drawStage(el, z, scale, { strip = false } = {}) {
  drawFigure(el, () => {
    const m = scale > 0 ? scale : 1;
    const hover = strip ? `${t('explorer.index')} %{x}: %{z:.4g}` : `${t('explorer.row')} %{y}, ${t('explorer.column')} %{x}: %{z:.4g}`;
    return {
      traces: [{
        type: 'heatmap', z, zmin: -m, zmax: m, colorscale: DIVERGING, showscale: !strip,
        colorbar: { thickness: 8, len: 0.9, outlinewidth: 0 },
        hovertemplate: `${hover}<extra></extra>`,
      }],
      layout: strip
        ? { height: 100, margin: { l: 8, r: 8, t: 4, b: 28 }, showlegend: false,
          xaxis: { fixedrange: true, showgrid: false },
          yaxis: { ...HIDDEN_AXIS } }
        : { height: 230, margin: { l: 4, r: 4, t: 4, b: 4 }, showlegend: false,
          xaxis: { ...HIDDEN_AXIS, constrain: 'domain' },
          yaxis: { ...HIDDEN_AXIS, autorange: 'reversed', scaleanchor: 'x', constrain: 'domain' } },
    };
  });
}
