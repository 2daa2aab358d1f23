/** How the console writes amounts, counts, times and months. */

const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
/** Model calls cost fractions of a cent: two significant digits rather than $0.00. */
const SMALL_USD = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumSignificantDigits: 2,
});

export const formatUsd = (usd: number): string =>
  usd === 0 || Math.abs(usd) >= 0.01 ? USD.format(usd) : SMALL_USD.format(usd);

export const formatCount = (count: number): string => count.toLocaleString('en-US');

/** An ISO time as UTC, to the minute: `2026-12-01 16:17 UTC`. */
export const formatTime = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** The current calendar month (UTC), `YYYY-MM`, as the API counts months. */
export const currentMonth = (now = new Date()): string => now.toISOString().slice(0, 7);
