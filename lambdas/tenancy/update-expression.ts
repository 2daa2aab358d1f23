/**
 * DynamoDB update expressions for ScopedTable: placeholders for every name and
 * value (so no attribute name is ever parsed as syntax), key attributes
 * refused, conditional counters and compare-and-swap sets.
 */
import type { NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import { ScopedKeyError } from './errors.js';

export type Attributes = Readonly<Record<string, NativeAttributeValue>>;

/** The value an attribute must hold for a swap to apply; `null` means "absent". */
export type ExpectedValue = string | number | null;

/** Adds to numeric attributes (absent counts as 0); refused when any `atMost` ceiling would be passed. */
export interface CounterChange {
  readonly add: Readonly<Record<string, number>>;
  /** Upper bounds for the attributes' values after the addition. */
  readonly atMost?: Readonly<Record<string, number>>;
  /** Plain attributes set in the same write (e.g. a TTL). */
  readonly set?: Attributes;
}

/** An update expression with its names, values and optional condition. */
export interface UpdateExpression {
  readonly update: string;
  readonly condition?: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, NativeAttributeValue>;
}

const KEY_ATTRIBUTES = new Set(['pk', 'sk']);

/** Throws ScopedKeyError when attributes would overwrite the key. */
export function rejectKeyAttributes(attributes: Readonly<Record<string, unknown>>): void {
  for (const name of Object.keys(attributes)) {
    if (KEY_ATTRIBUTES.has(name)) throw new ScopedKeyError(`attribute "${name}" is reserved for the key`);
  }
}

/** Accumulates placeholders so one expression never reuses a name. */
class ExpressionBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, NativeAttributeValue> = {};
  #next = 0;

  name(attribute: string): string {
    rejectKeyAttributes({ [attribute]: true });
    const ref = `#n${this.#next++}`;
    this.names[ref] = attribute;
    return ref;
  }

  value(value: NativeAttributeValue): string {
    const ref = `:v${this.#next++}`;
    this.values[ref] = value;
    return ref;
  }

  assignments(set: Attributes): string[] {
    return Object.entries(set)
      .filter(([, value]) => value !== undefined)
      .map(([attribute, value]) => `${this.name(attribute)} = ${this.value(value)}`);
  }
}

/** `SET`s of every defined attribute; throws ScopedKeyError when there is none. */
export function setExpression(set: Attributes): UpdateExpression {
  const builder = new ExpressionBuilder();
  const sets = builder.assignments(set);
  if (sets.length === 0) throw new ScopedKeyError('an update needs at least one attribute');
  return { update: `SET ${sets.join(', ')}`, names: builder.names, values: builder.values };
}

/** `ADD` with ceilings (checked as "absent or ≤ ceiling − increment") plus optional `SET`s; undefined when no write could meet a ceiling. */
export function counterExpression(change: CounterChange): UpdateExpression | undefined {
  const builder = new ExpressionBuilder();
  const additions: string[] = [];
  const conditions: string[] = [];
  for (const [attribute, increment] of Object.entries(change.add)) {
    const name = builder.name(attribute);
    additions.push(`${name} ${builder.value(increment)}`);
    const ceiling = change.atMost?.[attribute];
    if (ceiling === undefined) continue;
    // Even an absent attribute becomes `increment`: no write can pass the ceiling.
    if (increment > ceiling) return undefined;
    conditions.push(`(attribute_not_exists(${name}) OR ${name} <= ${builder.value(ceiling - increment)})`);
  }
  if (additions.length === 0) throw new ScopedKeyError('a counter update needs at least one attribute');
  const sets = builder.assignments(change.set ?? {});
  return {
    update: `ADD ${additions.join(', ')}${sets.length > 0 ? ` SET ${sets.join(', ')}` : ''}`,
    ...(conditions.length > 0 ? { condition: conditions.join(' AND ') } : {}),
    names: builder.names,
    values: builder.values,
  };
}

/** `SET`s that apply only while each expected attribute holds its expected value (or is absent for null). */
export function swapExpression(
  set: Attributes,
  expect: Readonly<Record<string, ExpectedValue>>,
): UpdateExpression {
  const builder = new ExpressionBuilder();
  const sets = builder.assignments(set);
  if (sets.length === 0) throw new ScopedKeyError('a swap needs at least one attribute');
  const conditions = Object.entries(expect).map(([attribute, expected]) => {
    const name = builder.name(attribute);
    return expected === null ? `attribute_not_exists(${name})` : `${name} = ${builder.value(expected)}`;
  });
  return {
    update: `SET ${sets.join(', ')}`,
    ...(conditions.length > 0 ? { condition: conditions.join(' AND ') } : {}),
    names: builder.names,
    values: builder.values,
  };
}

/** A numeric attribute in a condition, read as `absentAs` when the item lacks it. */
export interface NumericOperand {
  readonly attribute: string;
  readonly absentAs: number;
}

/** `below < above`, each attribute read with its absent value. */
export interface Comparison {
  readonly below: NumericOperand;
  readonly above: NumericOperand;
}

/**
 * Counter changes of one item in one UpdateItem, applied only while every
 * comparison holds. Counters start from `from` (0 by default) when absent;
 * `remove` drops attributes (never one the update also changes).
 */
export interface GuardedUpdate {
  readonly increments: Readonly<Record<string, { readonly by: number; readonly from?: number }>>;
  readonly remove?: readonly string[];
  /** Plain attributes set in the same write (e.g. a TTL). */
  readonly set?: Attributes;
  readonly when?: readonly Comparison[];
}

function numberAt(item: Readonly<Record<string, unknown>>, operand: NumericOperand): number {
  const value = item[operand.attribute];
  return typeof value === 'number' ? value : operand.absentAs;
}

/** Whether a comparison holds for an item (what DynamoDB evaluates; callers use it to name a refusal). */
export function comparisonHolds(comparison: Comparison, item: Readonly<Record<string, unknown>>): boolean {
  return numberAt(item, comparison.below) < numberAt(item, comparison.above);
}

/**
 * A comparison in DynamoDB's condition language, which has no arithmetic and
 * reads a comparison with an absent attribute as false: one clause per case.
 */
function comparisonCondition(builder: ExpressionBuilder, { below, above }: Comparison): string {
  const low = builder.name(below.attribute);
  const high = builder.name(above.attribute);
  const clauses = [
    `${low} < ${high}`,
    `(attribute_not_exists(${low}) AND ${high} > ${builder.value(below.absentAs)})`,
    `(attribute_not_exists(${high}) AND ${low} < ${builder.value(above.absentAs)})`,
  ];
  if (below.absentAs < above.absentAs)
    clauses.push(`(attribute_not_exists(${low}) AND attribute_not_exists(${high}))`);
  return `(${clauses.join(' OR ')})`;
}

/** The expression of a GuardedUpdate; throws ScopedKeyError when it changes nothing or removes what it changes. */
export function guardedExpression(update: GuardedUpdate): UpdateExpression {
  const builder = new ExpressionBuilder();
  const additions: string[] = [];
  const sets = builder.assignments(update.set ?? {});
  for (const [attribute, { by, from = 0 }] of Object.entries(update.increments)) {
    const name = builder.name(attribute);
    if (from === 0) additions.push(`${name} ${builder.value(by)}`);
    else sets.push(`${name} = if_not_exists(${name}, ${builder.value(from)}) + ${builder.value(by)}`);
  }
  if (additions.length + sets.length === 0) throw new ScopedKeyError('a guarded update needs an increment');
  const removals = (update.remove ?? []).map((attribute) => {
    if (attribute in update.increments)
      throw new ScopedKeyError(`"${attribute}" is both changed and removed`);
    return builder.name(attribute);
  });
  const clauses = [
    sets.length > 0 ? `SET ${sets.join(', ')}` : '',
    additions.length > 0 ? `ADD ${additions.join(', ')}` : '',
    removals.length > 0 ? `REMOVE ${removals.join(', ')}` : '',
  ].filter((clause) => clause !== '');
  const conditions = (update.when ?? []).map((comparison) => comparisonCondition(builder, comparison));
  return {
    update: clauses.join(' '),
    ...(conditions.length > 0 ? { condition: conditions.join(' AND ') } : {}),
    names: builder.names,
    values: builder.values,
  };
}
