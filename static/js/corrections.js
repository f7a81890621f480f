/**
 * "That's wrong": when the network misreads a digit, the student says which
 * digit it is. The 28×28 image the network saw is kept on the server with the
 * right label (a small personal data set, per browser), listed here with a
 * delete button each, and can be added to an MNIST training run from the
 * playground's Data settings. The count is reported to that setting.
 */
import { api } from './api.js';
import { t } from './i18n.js';

/** Corrections shown in the gallery (the count covers all of them). */
const GALLERY = 24;

/**
 * @param {{markWrong: HTMLButtonElement, picker: Element, digits: Element, cancel: Element,
 *   status: Element, count: Element, gallery: Element}} els
 * @param {{onCount: (n: number) => void}} deps  told the number of corrections whenever it is known anew
 */
export function createCorrections(els, { onCount }) {
  /** @type {{pixels: number[], label: number}|null} the digit on the canvas, as the network saw it */
  let digit = null;
  let count = null;
  /** @type {object[]} */
  let shownItems = [];
  let status = { key: null, params: {} };

  function setStatus(key, params = {}) {
    status = { key, params };
    els.status.textContent = key ? t(key, params) : '';
  }

  const buttons = Array.from({ length: 10 }, (_, d) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'digit-button';
    button.textContent = String(d);
    button.dataset.testid = `correct-label-${d}`;
    button.addEventListener('click', () => save(d));
    return button;
  });
  els.digits.append(...buttons);

  function labelButtons() {
    buttons.forEach((b, d) => b.setAttribute('aria-label', t('corrections.itIs', { n: d })));
  }

  /** Every digit can be picked except the one the network said, which would be no correction. */
  function enableDigits() {
    buttons.forEach((b, d) => { b.disabled = d === digit?.label; });
  }

  function open() {
    if (!digit) return;
    els.picker.hidden = false;
    els.markWrong.setAttribute('aria-expanded', 'true');
    enableDigits();
    buttons.find((b) => !b.disabled)?.focus();
  }

  function close(refocus = false) {
    els.picker.hidden = true;
    els.markWrong.setAttribute('aria-expanded', 'false');
    if (refocus && !els.markWrong.disabled) els.markWrong.focus();
  }

  async function save(label) {
    if (!digit) return;
    const { pixels, label: predicted } = digit;
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await api.addCorrection(pixels, label, predicted);
      setStatus('corrections.saved', { n: label, predicted });
      close(true);
      await refresh();
    } catch (error) {
      setStatus('corrections.failed', { message: error.message });
      enableDigits();
    }
  }

  async function remove(item, button) {
    button.disabled = true;
    try {
      await api.deleteCorrection(item.id);
      setStatus('corrections.deleted', { n: item.label });
      await refresh();
      // keep the keyboard in the gallery: the next delete button, else the count
      const next = els.gallery.querySelector('[data-testid=correction-delete]');
      (next ?? els.count).focus();
    } catch (error) {
      button.disabled = false;
      setStatus('corrections.failed', { message: error.message });
    }
  }

  function thumbnail(item) {
    const canvas = document.createElement('canvas');
    canvas.width = 28;
    canvas.height = 28;
    const ctx = canvas.getContext('2d');
    const image = ctx.createImageData(28, 28);
    item.pixels.forEach((v, i) => {
      const g = Math.round(Math.max(0, Math.min(1, v)) * 255);
      image.data.set([g, g, g, 255], i * 4);
    });
    ctx.putImageData(image, 0, 0);
    canvas.setAttribute('role', 'img');
    return canvas;
  }

  function describe(item) {
    return item.predicted == null
      ? t('corrections.thumb', { n: item.label })
      : t('corrections.thumbRead', { n: item.label, predicted: item.predicted });
  }

  function render() {
    els.count.textContent = count == null
      ? ''
      : t(count === 0 ? 'corrections.none' : count === 1 ? 'corrections.countOne' : 'corrections.countMany', { n: count });
    els.gallery.replaceChildren(...shownItems.map((item) => {
      const li = document.createElement('li');
      li.dataset.testid = 'correction-item';
      li.dataset.id = String(item.id);
      const canvas = thumbnail(item);
      canvas.setAttribute('aria-label', describe(item));
      const text = document.createElement('span');
      text.className = 'correction-label';
      text.textContent = item.predicted == null ? String(item.label) : t('corrections.arrow', { n: item.label, predicted: item.predicted });
      const del = document.createElement('button');
      del.type = 'button';
      del.className = 'secondary small icon';
      del.dataset.testid = 'correction-delete';
      del.textContent = '✕';
      del.setAttribute('aria-label', t('corrections.delete', { description: describe(item) }));
      del.addEventListener('click', () => remove(item, del));
      li.append(canvas, text, del);
      return li;
    }));
    els.gallery.hidden = shownItems.length === 0;
  }

  /** Ask the server for the count and the newest corrections, and show them. */
  async function refresh() {
    try {
      const [counted, items] = await Promise.all([api.correctionCount(), api.corrections(GALLERY)]);
      count = counted.count;
      shownItems = items;
      render();
      onCount(count);
    } catch (error) {
      setStatus('corrections.failed', { message: error.message });
    }
  }

  els.markWrong.addEventListener('click', () => (els.picker.hidden ? open() : close(true)));
  els.cancel.addEventListener('click', () => close(true));
  els.picker.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') close(true);
  });
  els.count.tabIndex = -1; // a place for the focus after the last delete
  labelButtons();
  refresh();

  return {
    /** The digit now on the canvas, from the inspect answer (null: nothing drawn). */
    setDigit(answer) {
      digit = answer ? { pixels: answer.pixels, label: answer.label } : null;
      els.markWrong.disabled = !digit;
      if (!digit) close();
      else enableDigits(); // a new reading: the open picker follows it
    },
    refresh,
    relabel() {
      labelButtons();
      render();
      setStatus(status.key, status.params);
    },
  };
}
