/**
 * The test images a finished MNIST run got wrong, each as a small canvas of
 * its 28×28 pixels with "true → predicted" under it. Seeing the mistakes
 * (a 4 that is nearly a 9, a sloppy 7) is how students judge whether the
 * network is bad or the digits are.
 */
import { t } from './i18n.js';

/**
 * @param {HTMLUListElement} listEl
 * @param {{index: number, label: number, predicted: number, pixels: number[][]}[]} items  pixels 0..255, white on black
 */
export function renderMisclassified(listEl, items) {
  listEl.replaceChildren(...items.map((item) => {
    const li = document.createElement('li');
    li.dataset.testid = 'misclassified-item';
    const canvas = document.createElement('canvas');
    canvas.width = 28;
    canvas.height = 28;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', t('diag.wrongLabel', { label: item.label, predicted: item.predicted }));
    paint(canvas, item.pixels);
    const caption = document.createElement('span');
    caption.className = 'misclassified-caption';
    caption.textContent = t('diag.wrongCaption', { label: item.label, predicted: item.predicted });
    li.append(canvas, caption);
    return li;
  }));
}

/** @param {HTMLCanvasElement} canvas @param {number[][]} pixels */
function paint(canvas, pixels) {
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(28, 28);
  pixels.flat().forEach((v, i) => image.data.set([v, v, v, 255], i * 4));
  ctx.putImageData(image, 0, 0);
}
