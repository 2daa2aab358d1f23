/** US dollars as the cost views show them: cents for large sums, down to a micro-dollar for model calls. */
const USD = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 6,
});

export const formatUsd = (value: number): string => USD.format(value);
