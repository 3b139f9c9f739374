/**
 * Text from specs and guests (check names, console lines, command output) is shown on the
 * user's terminal: control characters are escaped so `ESC ]0;…` cannot retitle the window and
 * `ESC [2J` cannot clear it. Newlines and tabs stay.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]/g, (c) => (c === '\x1b' ? '\\e' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
