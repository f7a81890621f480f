/**
 * The "Embed" button: the server's `<iframe>` snippet for this set-up (and
 * lesson), shown ready to select and copied when the browser allows it. The
 * host site must be one of the registered frame ancestors (docs/LESSONS.md).
 */
import { api } from './api.js';
import { t } from './i18n.js';

/**
 * @param {{button: HTMLButtonElement, box: Element, code: HTMLTextAreaElement, status: Element}} els
 * @param {{setup: () => string, lesson: () => string|null}} source  the `#setup=` value and the open lesson
 */
export function createSnippet(els, { setup, lesson }) {
  let status = null;

  function show(key, params = {}) {
    status = { key, params };
    els.status.textContent = t(key, params);
  }

  els.button.addEventListener('click', async () => {
    els.box.hidden = false;
    els.button.setAttribute('aria-expanded', 'true');
    try {
      els.code.value = (await api.embedSnippet(setup(), lesson())).html;
    } catch (error) {
      els.code.value = '';
      show('embed.failed', { message: error.message });
      return;
    }
    els.code.select();
    try {
      await navigator.clipboard.writeText(els.code.value);
      show('embed.copied');
    } catch {
      show('embed.copyYourself');
    }
  });

  return {
    relabel() {
      if (status) show(status.key, status.params);
    },
  };
}
