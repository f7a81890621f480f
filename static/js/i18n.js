/**
 * Every UI string comes from a dictionary (English, Traditional and
 * Simplified Chinese). The template holds only keys (`data-i18n` for text,
 * `data-i18n-attr="attr:key;…"` for attributes); code asks `t(key, params)`.
 * The language is chosen by the switcher, remembered, and defaults to the
 * browser's.
 */
import en from './locales/en.js';
import zhHant from './locales/zh-Hant.js';
import zhHans from './locales/zh-Hans.js';
import { local } from './storage.js';

/** The dictionaries by locale tag; en is the reference the others must match. */
export const dictionaries = { en, 'zh-Hant': zhHant, 'zh-Hans': zhHans };

const STORAGE_KEY = 'nnplay.locale';
let current = 'en';
const listeners = [];

/** The supported locale closest to a BCP-47 tag such as "zh-TW" or "en-GB". */
function matchLocale(tag) {
  const lower = String(tag ?? '').toLowerCase();
  if (!lower.startsWith('zh')) return 'en';
  return /hant|-tw|-hk|-mo/.test(lower) ? 'zh-Hant' : 'zh-Hans';
}

/** The string for `key` in the current language with `{name}` placeholders filled. */
export function t(key, params = {}) {
  const text = dictionaries[current][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/**
 * The display name of a registry item (an activation, a dataset …): its
 * translation when the dictionary has one, else the raw name, so a choice the
 * server adds later still shows up.
 */
export function nameOf(group, name) {
  const key = `${group}.${name}`;
  return dictionaries[current][key] ?? en[key] ?? String(name);
}

/** Fill the text and attributes of every element under `root` that names a key. */
export function applyTranslations(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}

/** Switch language, translate the page and tell the modules that render text themselves. */
export function setLocale(locale) {
  current = dictionaries[locale] ? locale : 'en';
  document.documentElement.lang = current;
  local.set(STORAGE_KEY, current);
  applyTranslations();
  for (const listener of listeners) listener(current);
}

/** The language to start in: the one chosen before, else the browser's. */
export function initialLocale() {
  return local.get(STORAGE_KEY) ?? matchLocale(navigator.languages?.[0] ?? navigator.language);
}

export const getLocale = () => current;

/** Run `listener` after each language change (to redraw dynamic text and charts). */
export function onLocaleChange(listener) {
  listeners.push(listener);
}
