/**
 * A bar chart drawn as inline SVG (no chart library: a few bars do not need one), with the
 * numbers also in a table for screen readers and for anyone who wants the exact values. An
 * optional limit (e.g. a monthly budget) is drawn as a line across the bars — unless it is so far
 * above them that scaling to it would flatten the bars to nothing: then the chart scales to the
 * bars and names the limit at its top, "↑ above the chart: …".
 */
export interface Bar {
  readonly label: string;
  readonly value: number;
}

export interface ChartLimit {
  readonly label: string;
  readonly value: number;
}

interface BarChartProps {
  /** The chart's accessible name, also its caption. */
  readonly title: string;
  readonly bars: readonly Bar[];
  readonly format: (value: number) => string;
  readonly limit?: ChartLimit;
}

const WIDTH = 640;
const HEIGHT = 200;
const AXIS = 24;
/** A limit more than this many times the highest bar is named above the chart, not drawn to scale. */
const OFF_SCALE = 4;
/** The least height of a bar that is not zero, so a tiny value still shows. */
const MIN_BAR = 1;

export function BarChart({ title, bars, format, limit }: BarChartProps) {
  const highest = Math.max(0, ...bars.map((bar) => bar.value));
  const limitOffScale = limit !== undefined && highest > 0 && limit.value > highest * OFF_SCALE;
  const top = (limitOffScale ? highest : Math.max(limit?.value ?? 0, highest)) || 1;
  const slot = (WIDTH - AXIS) / Math.max(bars.length, 1);
  const y = (value: number) => HEIGHT - AXIS - (value / top) * (HEIGHT - 2 * AXIS);
  const height = (value: number) => (value > 0 ? Math.max(HEIGHT - AXIS - y(value), MIN_BAR) : 0);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={title}>
        <line class="axis" x1={AXIS} x2={WIDTH} y1={HEIGHT - AXIS} y2={HEIGHT - AXIS} />
        {bars.map((bar, index) => (
          <g key={bar.label}>
            <rect
              class="bar"
              x={AXIS + index * slot + slot * 0.15}
              width={slot * 0.7}
              y={HEIGHT - AXIS - height(bar.value)}
              height={height(bar.value)}
            >
              <title>{`${bar.label}: ${format(bar.value)}`}</title>
            </rect>
            {bars.length <= 31 && (
              <text class="tick" x={AXIS + index * slot + slot / 2} y={HEIGHT - 6} text-anchor="middle">
                {bar.label}
              </text>
            )}
          </g>
        ))}
        {limit && limitOffScale && (
          <g class="limit">
            <text x={WIDTH - 4} y={14} text-anchor="end">
              {`↑ ${limit.label} above the chart: ${format(limit.value)}`}
            </text>
          </g>
        )}
        {limit && !limitOffScale && (
          <g class="limit">
            <line x1={AXIS} x2={WIDTH} y1={y(limit.value)} y2={y(limit.value)} />
            <text x={WIDTH - 4} y={y(limit.value) - 4} text-anchor="end">
              {`${limit.label} ${format(limit.value)}`}
            </text>
          </g>
        )}
      </svg>
      <details>
        <summary>Values of {title}</summary>
        <table>
          <caption>{title}</caption>
          <tbody>
            {bars.map((bar) => (
              <tr key={bar.label}>
                <th scope="row">{bar.label}</th>
                <td>{format(bar.value)}</td>
              </tr>
            ))}
            {limit && (
              <tr>
                <th scope="row">{limit.label}</th>
                <td>{format(limit.value)}</td>
              </tr>
            )}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
