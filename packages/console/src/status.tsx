/**
 * A view's success message (`role="status"`) inside a live region that is always there: screen
 * readers announce a change of a region they already know, not always one that appears with its
 * text. Empty, the region holds no status element (nothing to find, nothing to show). It takes
 * focus (`id`, tabIndex -1) when an action removed the button the person was on (focus.ts).
 */
import type { ComponentChildren } from 'preact';

interface StatusProps {
  /** For `focusSoon(id)`. */
  readonly id?: string;
  /** The message; nothing (undefined, false, '') shows none. */
  readonly children?: ComponentChildren;
}

export function Status({ id, children }: StatusProps) {
  const shown = children !== undefined && children !== null && children !== false && children !== '';
  return (
    <div class="status-region" id={id} tabIndex={-1} aria-live="polite">
      {shown && <p role="status">{children}</p>}
    </div>
  );
}
