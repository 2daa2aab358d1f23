import { describe, expect, it } from 'vitest';
import { chunkText } from '../../lambdas/documents/chunking.js';

const sentence = (n: number) => `Sentence number ${n} talks about topic ${n % 7}.`;

describe('chunkText', () => {
  it('keeps short text whole and has no chunks for blank text', () => {
    expect(chunkText('One short paragraph.')).toEqual(['One short paragraph.']);
    expect(chunkText('  \n ')).toEqual([]);
  });

  it('cuts long text into ~800-character chunks that overlap and end at sentence boundaries', () => {
    const text = Array.from({ length: 120 }, (_, n) => sentence(n)).join(' ');

    const chunks = chunkText(text);

    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(800);
    for (const chunk of chunks.slice(0, -1)) expect(chunk).toMatch(/\.$/);
    for (const [index, chunk] of chunks.slice(1).entries()) {
      const previous = chunks[index] ?? '';
      expect(previous.includes(chunk.slice(0, 30)), `chunk ${index + 1} overlaps its predecessor`).toBe(true);
    }
    expect(chunks.at(-1)).toContain(sentence(119));
  });

  it('prefers paragraph breaks and never loses a word', () => {
    const paragraphs = Array.from({ length: 6 }, (_, n) => `Paragraph ${n}. ${'word '.repeat(60).trim()}.`);
    const text = paragraphs.join('\n\n');

    const chunks = chunkText(text);

    expect(chunks[0]?.endsWith('.')).toBe(true);
    for (const paragraph of paragraphs) {
      expect(chunks.some((chunk) => chunk.includes(paragraph.slice(0, 12)))).toBe(true);
    }
  });

  it('still cuts text without any boundary', () => {
    expect(chunkText('x'.repeat(2000)).map((chunk) => chunk.length)).toEqual([800, 800, 640]);
  });
});
