/** A labelled select of fixed options, optionally with an empty first option (e.g. "all" in a filter). */
import { useId } from 'preact/hooks';

interface ChoiceProps {
  readonly label: string;
  readonly value: string;
  readonly options: readonly string[];
  readonly onChange: (value: string) => void;
  /** The label of an empty first option meaning "no choice", e.g. `any` or `all`. */
  readonly empty?: string;
}

export function Choice({ label, value, options, onChange, empty }: ChoiceProps) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.currentTarget.value)}>
        {empty !== undefined && <option value="">{empty}</option>}
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </div>
  );
}
