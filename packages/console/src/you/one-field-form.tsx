/** A form of one labelled text field and its button, on one line (remember a fact, connect an account, search). */
export interface OneFieldFormProps {
  /** The field's id, which its label points to. */
  readonly id: string;
  readonly label: string;
  /** A heading that names the form, if it has one. */
  readonly heading?: string;
  /** A search field (browsers offer to clear it). */
  readonly search?: boolean;
  readonly value: string;
  readonly onValue: (value: string) => void;
  /** The button's text. */
  readonly submit: string;
  readonly busy: boolean;
  /** Called with the trimmed value; an empty field sends nothing. */
  readonly onSubmit: (value: string) => void;
}

export function OneFieldForm({
  id,
  label,
  heading,
  search = false,
  value,
  onValue,
  submit,
  busy,
  onSubmit,
}: OneFieldFormProps) {
  const headingId = `${id}-heading`;
  return (
    <form
      class="inline-form"
      aria-labelledby={heading === undefined ? undefined : headingId}
      onSubmit={(event) => {
        event.preventDefault();
        const text = value.trim();
        if (text !== '') onSubmit(text);
      }}
    >
      {heading !== undefined && <h2 id={headingId}>{heading}</h2>}
      <label for={id}>{label}</label>
      {search ? (
        <input id={id} type="search" value={value} onInput={(event) => onValue(event.currentTarget.value)} />
      ) : (
        <input id={id} value={value} onInput={(event) => onValue(event.currentTarget.value)} />
      )}
      <button type="submit" disabled={busy}>
        {submit}
      </button>
    </form>
  );
}
