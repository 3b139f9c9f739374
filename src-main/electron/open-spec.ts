import type { Res } from '../api/contract';
import type { EditorCommand } from '../tools/open-editor';

/** What opening a file at a line needs from the desktop: the editor choice, its launch, the file manager. */
export interface OpenFileDeps {
  choose(file: string, line: number): EditorCommand | null;
  /** Starts the editor; a problem's text when it failed at once, else null. */
  launch(cmd: EditorCommand): Promise<string | null>;
  /** Shows the file in the desktop's file manager (Electron's shell.showItemInFolder). */
  reveal(file: string): void;
}

/**
 * A check's spec-line link in the desktop app: the user's editor at the line when there is one
 * that starts, else the file shown in its folder (the app then shows the line itself). The
 * line cannot be handed to shell.openPath, which is why an editor is looked for first.
 */
export async function openFileAt(file: string, line: number, deps: OpenFileDeps): Promise<Res<'appliance.openSpec'>> {
  const cmd = deps.choose(file, line);
  const problem = cmd ? await deps.launch(cmd) : null;
  if (cmd && problem === null) return { opened: 'editor', editor: cmd.label, atLine: cmd.atLine };
  deps.reveal(file);
  return { opened: 'folder', atLine: false, ...(problem ? { problem } : {}) };
}
