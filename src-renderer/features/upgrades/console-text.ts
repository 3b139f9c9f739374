// A serial console as a person reads it: the guest's shell sends terminal control sequences
// (cursor queries, colours) that a <pre> would show as garbage like "␛[6n".

// CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), and two-character escapes.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
// Other C0 controls except tab and newline (a lone \r, backspace, bell…).
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f]/g;

export function cleanConsole(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(ESCAPES, '').replace(CONTROLS, '');
}
