/** A labelled text input (or textarea): the one text input the console's forms are built from. */
import { useId } from 'preact/hooks';

type InputType = 'text' | 'url' | 'email' | 'password' | 'number' | 'month';

interface TextFieldProps {
  readonly label: string;
  readonly value: string;
  readonly onInput: (value: string) => void;
  /** @default 'text' */
  readonly type?: InputType;
  readonly multiline?: boolean;
  readonly required?: boolean;
  /** Said after the label (e.g. "optional", a unit), also to screen readers. */
  readonly hint?: string;
  readonly min?: number;
  readonly max?: number;
  /** For numbers: `any` takes fractions. */
  readonly step?: string;
  /** Said in the empty field, e.g. what applies when it is left empty. */
  readonly placeholder?: string;
  readonly autoComplete?: string;
}

interface InputProps {
  readonly id: string;
  readonly value: string;
  readonly 'aria-describedby'?: string;
  readonly onInput: (event: { readonly currentTarget: { readonly value: string } }) => void;
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly step?: string;
  readonly placeholder?: string;
  readonly autoComplete?: string;
}

/** Preact types each input type's attributes apart, so each is written out. */
function Input({ type, ...props }: InputProps & { readonly type: InputType }) {
  switch (type) {
    case 'text':
      return <input {...props} type="text" />;
    case 'url':
      return <input {...props} type="url" />;
    case 'email':
      return <input {...props} type="email" />;
    case 'number':
      return <input {...props} type="number" />;
    case 'month':
      return <input {...props} type="month" />;
    case 'password':
      // A secret to hand over, never one of the person's own passwords to fill in.
      return <input {...props} type="password" autocomplete="new-password" />;
  }
}

export function TextField({
  label,
  value,
  onInput,
  type = 'text',
  multiline,
  hint,
  ...rest
}: TextFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const props: InputProps = {
    id,
    value,
    'aria-describedby': hint === undefined ? undefined : hintId,
    onInput: (event) => onInput(event.currentTarget.value),
    ...rest,
  };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint !== undefined && (
        <span id={hintId} class="hint">
          {hint}
        </span>
      )}
      {multiline ? <textarea {...props} rows={4} /> : <Input {...props} type={type} />}
    </div>
  );
}
