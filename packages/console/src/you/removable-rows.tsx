/**
 * A table of the things a person keeps (remembered facts, documents, connections), each row with
 * one button that removes it; the buttons' column has a heading only screen readers read. After a
 * removal the focus moves to the next row's button, or to the caption once the table is empty.
 */
import type { BulkheadClient } from '@bulkhead/client';
import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';
import type { Action, Answer } from '../use-api.js';
import { useFocusAfterRemoval } from './focus-after-removal.js';

export interface Column<T> {
  readonly heading: string;
  readonly cell: (row: T) => ComponentChildren;
}

export interface RemovableRowsProps<T> {
  readonly caption: string;
  readonly columns: readonly Column<T>[];
  readonly rows: readonly T[];
  readonly keyOf: (row: T) => string;
  /** The button's text ("Forget", "Delete", "Revoke"). */
  readonly remove: string;
  /** The button's accessible name for `row` (e.g. `Forget “…”`). */
  readonly removeName: (row: T) => string;
  /** The view's action: its refusal is shown by the view, and it is busy while any of its calls runs. */
  readonly action: Action;
  /** The API call that removes `row`. */
  readonly call: (api: BulkheadClient, row: T) => Promise<Answer<unknown>>;
  /** After the API removed `row`: say so, and reload `rows`. */
  readonly onRemoved: (row: T) => void;
}

export function RemovableRows<T>({
  caption,
  columns,
  rows,
  keyOf,
  remove,
  removeName,
  action,
  call,
  onRemoved,
}: RemovableRowsProps<T>) {
  const table = useRef<HTMLTableElement>(null);
  const removedAt = useFocusAfterRemoval(
    rows,
    keyOf,
    () => Array.from(table.current?.querySelectorAll<HTMLElement>('tbody button') ?? []),
    () => table.current?.caption,
  );
  return (
    <table ref={table}>
      {/* Focusable from script only: where the focus goes once the last row is removed. */}
      <caption tabIndex={-1}>{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column.heading} scope="col">
              {column.heading}
            </th>
          ))}
          <th scope="col" class="actions-column">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row, index) => (
          <tr key={keyOf(row)}>
            {columns.map((column) => (
              <td key={column.heading}>{column.cell(row)}</td>
            ))}
            <td>
              <button
                type="button"
                aria-label={removeName(row)}
                disabled={action.busy}
                onClick={async () => {
                  if (!(await action.run((api) => call(api, row)))) return;
                  removedAt(keyOf(row), index);
                  onRemoved(row);
                }}
              >
                {remove}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
