/**
 * RFC 4180 CSV, as AWS Data Exports writes it: a header row, then one record per row; a field
 * in double quotes may hold commas, line breaks and doubled quotes (`""`). CRLF and LF both end
 * a record; a leading byte-order mark is dropped.
 */

/** The file's text is not valid CSV (an unterminated quote, a stray character after one). */
export class CsvSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/** Every row of `text` as arrays of fields (the header row included), in file order. */
export function* csvRows(text: string): Generator<string[]> {
  let position = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let row: string[] = [];
  let line = 1;
  while (position < text.length) {
    let field = '';
    if (text[position] === '"') {
      const openedOnLine = line;
      position += 1;
      for (;;) {
        const quote = text.indexOf('"', position);
        if (quote === -1)
          throw new CsvSyntaxError(`a quoted field opened on line ${openedOnLine} never closes`);
        const chunk = text.slice(position, quote);
        field += chunk;
        line += chunk.split('\n').length - 1;
        if (text[quote + 1] === '"') {
          field += '"';
          position = quote + 2;
          continue;
        }
        position = quote + 1;
        break;
      }
      const next = text[position];
      if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n')
        throw new CsvSyntaxError(`line ${line}: unexpected ${JSON.stringify(next)} after a quoted field`);
    } else {
      let end = position;
      while (end < text.length && text[end] !== ',' && text[end] !== '\r' && text[end] !== '\n') end += 1;
      field = text.slice(position, end);
      if (field.includes('"')) throw new CsvSyntaxError(`line ${line}: a quote inside an unquoted field`);
      position = end;
    }
    row.push(field);
    if (text[position] === ',') {
      position += 1;
      // A trailing comma at the end of the text still ends with one empty field.
      if (position === text.length) row.push('');
      continue;
    }
    if (text[position] === '\r') position += 1;
    if (text[position] === '\n') position += 1;
    line += 1;
    yield row;
    row = [];
  }
  if (row.length > 0) yield row;
}

/** The records of a CSV text with a header row, each as `{ column: value }`. */
export function* csvRecords(text: string): Generator<Record<string, string>> {
  let header: string[] | undefined;
  let recordNumber = 0;
  for (const row of csvRows(text)) {
    if (header === undefined) {
      header = row;
      continue;
    }
    // A blank line (a lone empty field) is no record.
    if (row.length === 1 && row[0] === '') continue;
    recordNumber += 1;
    if (row.length !== header.length)
      throw new CsvSyntaxError(
        `record ${recordNumber} has ${row.length} fields; the header has ${header.length}`,
      );
    const record: Record<string, string> = {};
    header.forEach((name, n) => {
      record[name] = row[n] ?? '';
    });
    yield record;
  }
}
