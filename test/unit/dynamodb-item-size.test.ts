/** The item sizes the front door's unit measurement bills transactions by (local/front-door/dynamodb-item-size.ts). */
import { describe, expect, it } from 'vitest';
import { itemSizeBytes, writeUnitsFor } from '../../local/front-door/dynamodb-item-size.js';

describe('DynamoDB item size', () => {
  it('counts attribute names and string values in UTF-8 bytes', () => {
    expect(itemSizeBytes({ id: { S: 'abc' } })).toBe(5);
    expect(itemSizeBytes({ é: { S: 'ü' } })).toBe(4);
  });

  it('counts a number as one byte per two significant digits plus one', () => {
    expect(itemSizeBytes({ n: { N: '12345' } })).toBe(1 + 4);
    expect(itemSizeBytes({ n: { N: '-0.00120' } })).toBe(1 + 2);
  });

  it('adds three bytes per list or map and one per element to their contents', () => {
    expect(itemSizeBytes({ m: { M: { a: { S: 'x' } } } })).toBe(1 + 3 + 1 + 2);
    expect(itemSizeBytes({ l: { L: [{ S: 'ab' }, { BOOL: true }] } })).toBe(1 + 3 + 3 + 2);
  });

  it('charges one write unit per started kilobyte, at least one', () => {
    expect(writeUnitsFor(0)).toBe(1);
    expect(writeUnitsFor(1024)).toBe(1);
    expect(writeUnitsFor(1025)).toBe(2);
  });
});
