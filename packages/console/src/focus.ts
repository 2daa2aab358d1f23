/**
 * Moves the keyboard focus to the element with `id` once the view has rendered the change the
 * caller just made — for when an action removes the focused button (the focus would fall back to
 * the page's start): the button that replaced it, a confirmation's heading, or the status message.
 */
export function focusSoon(id: string): void {
  requestAnimationFrame(() => document.getElementById(id)?.focus());
}
