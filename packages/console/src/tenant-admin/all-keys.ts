/**
 * The keys of a record written against a union type, as that type. Forms list every member of
 * an API enum (roles, audit kinds, built-in tools) from a `Record<Member, label>`, so a member the
 * API adds fails the typecheck there instead of silently missing from the form.
 */
export function allKeys<K extends string>(record: Readonly<Record<K, unknown>>): readonly K[] {
  // Object.keys widens to string[]; the record's type says these are exactly the K members.
  return Object.keys(record) as K[];
}
