import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import './confirm-dialog.css';

// A confirmation in the browser's own modal <dialog>: it traps focus, Escape cancels, and focus
// returns to the control that opened it when it closes. Cancel has the focus first, so a stray
// Enter never confirms something hard to undo.

let dialogs = 0;

export const ConfirmDialog = ({ title, children, confirmLabel, onConfirm, onCancel, danger = false }: { title: string; children: ComponentChildren; confirmLabel: string; onConfirm: () => void; onCancel: () => void; danger?: boolean }) => {
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useRef(`confirm-${++dialogs}`).current;
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.open && element.close();
  }, []);
  return (
    <dialog ref={dialog} class="confirm" aria-labelledby={`${id}-title`} aria-describedby={`${id}-text`} onCancel={(event) => { event.preventDefault(); onCancel(); }}>
      <h2 id={`${id}-title`}>{title}</h2>
      <div id={`${id}-text`}>{children}</div>
      <div class="confirm-actions">
        <button type="button" autoFocus onClick={onCancel}>
          Cancel
        </button>
        <button type="button" class={danger ? 'danger' : 'primary'} onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
};
