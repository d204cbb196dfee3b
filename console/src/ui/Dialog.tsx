import { type ReactNode, useEffect, useId, useRef } from 'react';

// A modal dialog on the native <dialog>: the browser traps focus inside, Escape closes it, and
// focus goes back to the control that opened it.

export function Dialog(props: {
  title: string;
  open: boolean;
  onClose(): void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  useEffect(() => {
    const dialog = ref.current;
    if (!props.open || !dialog) return;
    const opener = document.activeElement as HTMLElement | null;
    // Only a close the person asked for (Escape, a form's dialog method) tells the owner. The
    // close below, when the dialog leaves or React re-runs the effect, must not, or a dialog
    // mounted open would shut itself at once: its listener is gone first, and the close event,
    // which arrives a task later, is ignored if the dialog has been shown again meanwhile.
    const closed = () => {
      if (!dialog.open) onClose.current();
    };
    dialog.addEventListener('close', closed);
    dialog.showModal();
    return () => {
      dialog.removeEventListener('close', closed);
      if (dialog.open) dialog.close();
      opener?.focus();
    };
  }, [props.open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId}>
      <h2 id={titleId}>{props.title}</h2>
      {props.open && props.children}
    </dialog>
  );
}
