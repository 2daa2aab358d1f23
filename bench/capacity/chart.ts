/**
 * One SVG line chart, no chart library: session hit rate (left axis, %) and STS AssumeRole calls
 * per second (right axis) against req/s (log scale), with STS's account limit as a dashed line.
 */
import type { SessionsAtLoad } from './model.js';

const WIDTH = 720;
const HEIGHT = 400;
const MARGIN = { left: 64, right: 80, top: 40, bottom: 56 };

const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Ticks 1, 2, 5 × 10^k inside [low, high]. */
function logTicks(low: number, high: number): number[] {
  const ticks: number[] = [];
  for (let power = Math.floor(Math.log10(low)); power <= Math.ceil(Math.log10(high)); power += 1) {
    for (const step of [1, 2, 5]) {
      const value = step * 10 ** power;
      if (value >= low && value <= high) ticks.push(value);
    }
  }
  return ticks;
}

/** A round axis top at or above `value`. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(value, 1)));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** The two session designs drawn: solid now, dashed before. */
const DESIGNS = [
  { key: 'vended', label: 'vended by the authorizer, cached per token (now)', dash: undefined },
  { key: 'perEnvironment', label: 'per-environment cache (before issue 13)', dash: '6 4' },
] as const;

export function stsChartSvg(points: readonly SessionsAtLoad[], stsLimit: number): string {
  if (points.length === 0) throw new Error('the chart needs at least one load');
  const xs = points.map((p) => p.rps);
  const xLow = Math.min(...xs);
  const xHigh = Math.max(...xs);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (rps: number) =>
    MARGIN.left +
    (xHigh === xLow
      ? plotWidth / 2
      : ((Math.log10(rps) - Math.log10(xLow)) / Math.log10(xHigh / xLow)) * plotWidth);
  const stsTop = niceCeiling(
    Math.max(stsLimit, ...points.flatMap((p) => DESIGNS.map((d) => p[d.key].stsCallsPerSecond))),
  );
  const yHit = (rate: number) => MARGIN.top + (1 - rate) * plotHeight;
  const ySts = (calls: number) => MARGIN.top + (1 - calls / stsTop) * plotHeight;
  const path = (y: (p: SessionsAtLoad) => number) =>
    points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.rps).toFixed(1)},${y(p).toFixed(1)}`).join(' ');
  const bottom = MARGIN.top + plotHeight;
  const right = MARGIN.left + plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    '<title>Session cache hit rate and STS AssumeRole calls per second against requests per second</title>',
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="14">Tenant-session cache: hit rate and STS AssumeRole calls/s vs load</text>`,
    `<line x1="${MARGIN.left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="black"/>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${bottom}" stroke="black"/>`,
    `<line x1="${right}" y1="${MARGIN.top}" x2="${right}" y2="${bottom}" stroke="black"/>`,
  ];
  for (const tick of logTicks(xLow, xHigh)) {
    parts.push(
      `<line x1="${x(tick).toFixed(1)}" y1="${MARGIN.top}" x2="${x(tick).toFixed(1)}" y2="${bottom}" stroke="#ddd"/>`,
      `<text x="${x(tick).toFixed(1)}" y="${bottom + 16}" text-anchor="middle">${tick.toLocaleString('en-US')}</text>`,
    );
  }
  for (let step = 0; step <= 4; step += 1) {
    const rate = step / 4;
    const calls = (stsTop * step) / 4;
    parts.push(
      `<text x="${MARGIN.left - 6}" y="${(yHit(rate) + 4).toFixed(1)}" text-anchor="end" fill="#1f77b4">${rate * 100} %</text>`,
      `<text x="${right + 6}" y="${(ySts(calls) + 4).toFixed(1)}" fill="#d62728">${calls.toLocaleString('en-US')}</text>`,
    );
  }
  parts.push(
    `<line x1="${MARGIN.left}" y1="${ySts(stsLimit).toFixed(1)}" x2="${right}" y2="${ySts(stsLimit).toFixed(1)}" stroke="#d62728" stroke-dasharray="2 3"/>`,
    `<text x="${MARGIN.left + 6}" y="${(ySts(stsLimit) - 6).toFixed(1)}" fill="#d62728">STS limit ${stsLimit}/s per account</text>`,
  );
  DESIGNS.forEach((design, n) => {
    const dash = design.dash === undefined ? '' : ` stroke-dasharray="${design.dash}"`;
    const of = (p: SessionsAtLoad) => p[design.key];
    parts.push(
      `<path d="${path((p) => yHit(of(p).hitRate))}" fill="none" stroke="#1f77b4" stroke-width="2"${dash}/>`,
      `<path d="${path((p) => ySts(of(p).stsCallsPerSecond))}" fill="none" stroke="#d62728" stroke-width="2"${dash}/>`,
      `<line x1="${MARGIN.left + 10}" y1="${MARGIN.top + 14 + 16 * n}" x2="${MARGIN.left + 40}" y2="${MARGIN.top + 14 + 16 * n}" stroke="black" stroke-width="2"${dash}/>`,
      `<text x="${MARGIN.left + 46}" y="${MARGIN.top + 18 + 16 * n}">${xmlText(design.label)}</text>`,
    );
    for (const p of points) {
      parts.push(
        `<circle cx="${x(p.rps).toFixed(1)}" cy="${yHit(of(p).hitRate).toFixed(1)}" r="3" fill="#1f77b4"/>`,
        `<circle cx="${x(p.rps).toFixed(1)}" cy="${ySts(of(p).stsCallsPerSecond).toFixed(1)}" r="3" fill="#d62728"/>`,
      );
    }
  });
  parts.push(
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 16}" text-anchor="middle">requests per second (log scale)</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" fill="#1f77b4">${xmlText('session cache hit rate')}</text>`,
    `<text transform="translate(${WIDTH - 14} ${MARGIN.top + plotHeight / 2}) rotate(90)" text-anchor="middle" fill="#d62728">${xmlText('STS AssumeRole calls/s')}</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}
