/**
 * The size DynamoDB bills an item by (the Developer Guide's "Item sizes and formats"): attribute
 * names and values in UTF-8, a number as about one byte per two significant digits plus one, a
 * null or boolean one byte, and a list or map three bytes plus one per element on top of its
 * contents. Write units are charged per started 1 KB of it.
 */
import { isRecord } from '../../lambdas/is-record.js';

/** An item (or a map's contents) in DynamoDB's JSON wire shape: `{ name: { S: "…" } }`. */
export type WireItem = Readonly<Record<string, unknown>>;

const KB = 1024;

/** The billed size of an item in bytes. */
export function itemSizeBytes(item: WireItem): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + valueSizeBytes(value),
    0,
  );
}

/** Write units of one write touching an item of this size (at least one). */
export function writeUnitsFor(sizeBytes: number): number {
  return Math.max(1, Math.ceil(sizeBytes / KB));
}

function valueSizeBytes(value: unknown): number {
  if (!isRecord(value)) return 0;
  const [type, content] = Object.entries(value)[0] ?? [];
  switch (type) {
    case 'S':
      return typeof content === 'string' ? Buffer.byteLength(content) : 0;
    case 'N':
      return typeof content === 'string' ? numberSizeBytes(content) : 0;
    case 'B':
      return typeof content === 'string' ? Buffer.from(content, 'base64').length : 0;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
    case 'NS':
    case 'BS':
      return Array.isArray(content)
        ? content.reduce<number>((sum, member) => sum + valueSizeBytes({ [type.slice(0, 1)]: member }), 0)
        : 0;
    case 'L':
      return Array.isArray(content)
        ? 3 + content.reduce<number>((sum, element) => sum + 1 + valueSizeBytes(element), 0)
        : 3;
    case 'M':
      return isRecord(content) ? 3 + Object.keys(content).length + itemSizeBytes(content) : 3;
    default:
      return 0;
  }
}

function numberSizeBytes(text: string): number {
  const digits = text.replace(/^[-+]/, '').replace(/e.*$/i, '').replace('.', '');
  const significant = digits.replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, significant.length) / 2) + 1;
}
