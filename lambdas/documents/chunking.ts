/**
 * Splits document text into overlapping chunks of about `targetSize`
 * characters, cutting at paragraph breaks where possible, else at sentence
 * ends, else at whitespace, so each chunk reads as whole text for citations.
 */
export const DEFAULT_CHUNK_SIZE = 800;
export const DEFAULT_CHUNK_OVERLAP = 120;

export interface ChunkOptions {
  /** @default DEFAULT_CHUNK_SIZE */
  readonly targetSize?: number;
  /** @default DEFAULT_CHUNK_OVERLAP */
  readonly overlap?: number;
}

/** Boundaries, best first: a paragraph break, a sentence end, any whitespace. */
const BOUNDARIES = [/\n\s*\n/g, /[.!?]["')\]]?\s/g, /\s/g];

/** The chunks of `text`, in order; empty text has none. */
export function chunkText(text: string, options: ChunkOptions = {}): string[] {
  const size = options.targetSize ?? DEFAULT_CHUNK_SIZE;
  const overlap = Math.min(options.overlap ?? DEFAULT_CHUNK_OVERLAP, Math.floor(size / 2));
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    const end = start + size >= text.length ? text.length : cutPoint(text, start, start + size);
    const chunk = text.slice(start, end).trim();
    if (chunk.length > 0) chunks.push(chunk);
    if (end >= text.length) break;
    start = nextStart(text, Math.max(end - overlap, start + 1), end);
  }
  return chunks;
}

/** The last good boundary in the second half of the window, else the hard limit. */
function cutPoint(text: string, start: number, limit: number): number {
  const window = text.slice(start, limit);
  const earliest = Math.floor(window.length / 2);
  for (const boundary of BOUNDARIES) {
    let best = -1;
    for (const match of window.matchAll(boundary)) {
      const after = match.index + match[0].length;
      if (after >= earliest) best = after;
    }
    if (best > 0) return start + best;
  }
  return limit;
}

/** Starts the overlap at a word boundary so a chunk never begins mid-word. */
function nextStart(text: string, from: number, end: number): number {
  const space = text.slice(from, end).search(/\s/);
  return space === -1 ? from : from + space + 1;
}
