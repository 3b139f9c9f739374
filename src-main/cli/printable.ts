// Text from specs and guests (check names, guest command output, hook output, spec values in
// messages) reaches the user's terminal through the human CLI output. A control character there
// is an instruction to the terminal: `ESC ]0;…` once set the window title and `ESC [2J` cleared
// the screen. Everything printed for a person from those sources goes through printable().

/** C0 controls except tab and newline, DEL, and C1 controls (0x80-0x9f, which some terminals obey too). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** The text with every terminal control character shown as a visible escape (ESC becomes `\x1b`); newlines and tabs stay. */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => {
    if (c === '\r') return '\\r';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}
