/**
 * The problems of a refused form, above it: focused when it appears (so it is read out), each
 * a link to the field it names. The field shows its own message too (ui/Field.tsx).
 */
import { useEffect, useRef } from "preact/hooks";

export function fieldId(field: string): string {
  return `field-${field.replace(/\./g, "-")}`;
}

export function ErrorSummary(props: { title: string; fields: Record<string, string>; labels: Record<string, string> }) {
  const box = useRef<HTMLDivElement>(null);
  const entries = Object.entries(props.fields);
  useEffect(() => {
    if (entries.length) box.current?.focus();
  }, [props.fields]);
  if (!entries.length) return null;
  const go = (field: string) => (event: MouseEvent) => {
    const control = document.getElementById(fieldId(field));
    if (!control) return;
    event.preventDefault();
    control.focus();
  };
  return (
    <div class="error-summary" role="alert" tabIndex={-1} ref={box}>
      <h2>{props.title}</h2>
      <ul>
        {entries.map(([field, message]) => (
          <li key={field}>
            <a href={`#${fieldId(field)}`} onClick={go(field)}>{props.labels[field] ?? field}: {message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}
