/**
 * S3 Vectors metadata filters: the subset of the query language the platform uses
 * ($eq $ne $in $nin $gt $gte $lt $lte $exists $and $or, and implicit equality).
 */
import { isRecord } from '../../lambdas/is-record.js';

export type Metadata = Record<string, unknown>;

/** Thrown for a filter the emulator does not understand; answered as a ValidationException. */
export class VectorFilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VectorFilterError';
  }
}

/** True when `metadata` satisfies `filter` (an absent filter matches everything). */
export function matchesFilter(metadata: Metadata, filter: unknown): boolean {
  if (filter === undefined || filter === null) return true;
  if (!isRecord(filter)) throw new VectorFilterError('filter must be an object');
  return Object.entries(filter).every(([key, condition]) => {
    if (key === '$and') return asArray(key, condition).every((part) => matchesFilter(metadata, part));
    if (key === '$or') return asArray(key, condition).some((part) => matchesFilter(metadata, part));
    if (key.startsWith('$')) throw new VectorFilterError(`unsupported filter operator ${key}`);
    return matchesField(metadata[key], condition);
  });
}

function matchesField(value: unknown, condition: unknown): boolean {
  if (!isRecord(condition)) return equalsValue(value, condition);
  return Object.entries(condition).every(([operator, operand]) => {
    switch (operator) {
      case '$eq':
        return equalsValue(value, operand);
      case '$ne':
        return value !== undefined && !equalsValue(value, operand);
      case '$in':
        return asArray(operator, operand).some((candidate) => equalsValue(value, candidate));
      case '$nin':
        return (
          value !== undefined &&
          !asArray(operator, operand).some((candidate) => equalsValue(value, candidate))
        );
      case '$exists':
        return (value !== undefined) === Boolean(operand);
      case '$gt':
        return compare(value, operand, (a, b) => a > b);
      case '$gte':
        return compare(value, operand, (a, b) => a >= b);
      case '$lt':
        return compare(value, operand, (a, b) => a < b);
      case '$lte':
        return compare(value, operand, (a, b) => a <= b);
      default:
        throw new VectorFilterError(`unsupported filter operator ${operator}`);
    }
  });
}

/** Equality as S3 Vectors defines it: an array-valued field matches when any element matches. */
function equalsValue(value: unknown, operand: unknown): boolean {
  if (Array.isArray(value)) return value.some((element) => element === operand);
  return value === operand;
}

function compare(value: unknown, operand: unknown, test: (a: number, b: number) => boolean): boolean {
  if (typeof operand !== 'number') throw new VectorFilterError('range operators need a number');
  return typeof value === 'number' && test(value, operand);
}

function asArray(operator: string, operand: unknown): unknown[] {
  if (!Array.isArray(operand)) throw new VectorFilterError(`${operator} needs an array`);
  return operand;
}
