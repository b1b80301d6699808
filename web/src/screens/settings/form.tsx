import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

// What every settings form shares: a labelled field, and a submit that shows busy, the API's
// error, or the success message (a status, so that screen readers hear it).

export const Field = ({ label, value, onInput, describedBy, ...rest }: { label: string; value: string; onInput: (value: string) => void; name: string; type?: string; autoComplete: string; minLength?: number; maxLength?: number; inputMode?: 'numeric' | 'text'; pattern?: string; required?: boolean; describedBy?: string }) => (
  <label class="field">
    <span>{label}</span>
    <input value={value} onInput={(event) => onInput((event.target as HTMLInputElement).value)} required aria-describedby={describedBy} {...rest} />
  </label>
);

export const useAction = () => {
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<string | null>) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      setDone(await work());
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const submit = (work: () => Promise<string | null>) => (event: Event) => {
    event.preventDefault();
    void run(work);
  };
  return { error, done, busy, run, submit, setDone };
};

export const Section = ({ id, title, children }: { id: string; title: string; children: ComponentChildren }) => (
  <section class="settings-section" aria-labelledby={id}>
    <h2 id={id}>{title}</h2>
    {children}
  </section>
);

export const Done = ({ text }: { text: string | null }) => (
  <p class="done" role="status">
    {text}
  </p>
);
