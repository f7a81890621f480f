/**
 * A drawing surface for digits: white strokes on black like MNIST, from mouse,
 * touch or pen through Pointer Events, kept as a list of strokes so undo can
 * remove the last one. The canvas has a fixed 280×280 resolution (CSS scales
 * it) and a stroke width of 1/14 of it, which after the digit is scaled into
 * MNIST's 20×20 box gives MNIST's 2–3 pixel pen.
 */

/**
 * @param {HTMLCanvasElement} canvas
 * @param {(phase: 'drawing'|'stroke'|'cleared') => void} onChange
 *   'drawing' while a stroke grows, 'stroke' when one ends, 'cleared' after undo or clear
 */
export function createDrawPad(canvas, onChange) {
  const ctx = canvas.getContext('2d');
  /** @type {{x: number, y: number}[][]} */
  const strokes = [];
  let pointer = null;

  function paintStroke(points) {
    ctx.lineWidth = canvas.width / 14;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#fff';
    ctx.fillStyle = '#fff';
    if (points.length === 1) {
      ctx.beginPath();
      ctx.arc(points[0].x, points[0].y, ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fill();
      return;
    }
    ctx.beginPath();
    ctx.moveTo(points[0].x, points[0].y);
    for (const p of points.slice(1)) ctx.lineTo(p.x, p.y);
    ctx.stroke();
  }

  function repaint() {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    strokes.forEach(paintStroke);
  }

  function point(event) {
    const box = canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) / box.width) * canvas.width,
      y: ((event.clientY - box.top) / box.height) * canvas.height,
    };
  }

  canvas.addEventListener('pointerdown', (event) => {
    if (pointer !== null || (event.pointerType === 'mouse' && event.button !== 0)) return;
    event.preventDefault();
    pointer = event.pointerId;
    canvas.setPointerCapture(event.pointerId);
    strokes.push([point(event)]);
    paintStroke(strokes.at(-1));
    onChange('drawing');
  });

  canvas.addEventListener('pointermove', (event) => {
    if (event.pointerId !== pointer) return;
    event.preventDefault();
    const stroke = strokes.at(-1);
    const from = stroke.length;
    for (const e of event.getCoalescedEvents?.() ?? [event]) stroke.push(point(e));
    paintStroke(stroke.slice(from - 1));
    onChange('drawing');
  });

  const end = (event) => {
    if (event.pointerId !== pointer) return;
    pointer = null;
    onChange('stroke');
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);

  repaint();
  return {
    isEmpty: () => strokes.length === 0,
    /** Remove the last stroke. */
    undo() {
      strokes.pop();
      repaint();
      onChange('cleared');
    },
    /** Remove every stroke. */
    clear() {
      strokes.length = 0;
      repaint();
      onChange('cleared');
    },
    toDataURL: () => canvas.toDataURL('image/png'),
  };
}
