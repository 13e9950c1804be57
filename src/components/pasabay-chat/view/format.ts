/** Locale-aware formatting of message times and day headings through `Intl`, cached per locale. */
export interface ChatFormatters {
  /** `3:04 PM` */
  time(date: Date): string;
  /** `Today`, `Yesterday`, or a full date for older days. */
  day(date: Date, now?: Date): string;
  /** Full date and time, for the `title` and `datetime` of a message. */
  full(date: Date): string;
}

const cache = new Map<string, ChatFormatters>();

function supported(locale: string | undefined): string | undefined {
  if (!locale) return undefined;
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([locale]).length > 0 ? locale : undefined;
  } catch {
    return undefined; // malformed language tag: fall back to the browser's locale
  }
}

export function chatFormatters(lang?: string): ChatFormatters {
  // Keyed by the requested tag: checking a tag's support costs more than a whole render of times.
  const cacheKey = lang ?? '';
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const locale = supported(lang);
  const time = new Intl.DateTimeFormat(locale, { timeStyle: 'short' });
  const full = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short' });
  const sameYear = new Intl.DateTimeFormat(locale, { weekday: 'long', month: 'long', day: 'numeric' });
  const otherYear = new Intl.DateTimeFormat(locale, { dateStyle: 'long' });
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const capitalise = (text: string) => text.charAt(0).toLocaleUpperCase(locale) + text.slice(1);
  const formatters: ChatFormatters = {
    time: (date) => time.format(date),
    full: (date) => full.format(date),
    day(date, now = new Date()) {
      const start = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
      const days = Math.round((start(date) - start(now)) / 86_400_000);
      if (days === 0 || days === -1) return capitalise(relative.format(days, 'day'));
      return (date.getFullYear() === now.getFullYear() ? sameYear : otherYear).format(date);
    },
  };
  cache.set(cacheKey, formatters);
  return formatters;
}
