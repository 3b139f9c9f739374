// What each VM's console printed while a Terminal showed it, kept in the window so a VM that
// powered off (a test VM at the end of its run, say) still has a readable transcript: the
// engine forgets a VM's console once it stops. Bounded per VM, oldest text dropped first.

const MAX_CHARS = 1_000_000;
const texts = new Map<string, string>();
const labels = new Map<string, string>();

export function resetTranscript(id: string, text: string): void {
  texts.set(id, text.slice(-MAX_CHARS));
}

export function appendTranscript(id: string, text: string): void {
  const next = (texts.get(id) ?? '') + text;
  texts.set(id, next.length > MAX_CHARS ? next.slice(-MAX_CHARS) : next);
}

export function transcript(id: string): string | undefined {
  return texts.get(id);
}

export function rememberLabel(id: string, label: string): void {
  labels.set(id, label);
}

export function knownLabel(id: string): string | undefined {
  return labels.get(id);
}

export function forgetTranscript(id: string): void {
  texts.delete(id);
  labels.delete(id);
}
