import type { Res } from '../../../src-main/api/contract';

/** What the app says after a spec-line link was followed (the engine's appliance.openSpec answer). */
export function openedMessage(r: Res<'appliance.openSpec'>, line: number): string {
  if (r.opened === 'editor') return r.atLine ? `Opened in ${r.editor} at line ${line}` : `Opened in ${r.editor}: go to line ${line}`;
  if (r.opened === 'folder') return `No editor opened it${r.problem ? ` (${r.problem})` : ' (set $VISUAL or $EDITOR, or install VS Code)'}; shown in its folder: line ${line}`;
  return `Line ${line} of appliance.yaml`;
}
