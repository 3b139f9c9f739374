import { describe, expect, it } from 'vitest';
import { openedMessage } from '../../../../src-renderer/features/build/spec-line';

describe("what the desktop app says after a check's appliance.yaml link", () => {
  it('names the editor, and the line when the editor could not be told it', () => {
    expect(openedMessage({ opened: 'editor', editor: 'code', atLine: true }, 12)).toBe('Opened in code at line 12');
    expect(openedMessage({ opened: 'editor', editor: 'mystery-edit', atLine: false }, 12)).toBe('Opened in mystery-edit: go to line 12');
  });
  it('shows the line itself when the file could only be shown in its folder', () => {
    expect(openedMessage({ opened: 'folder', atLine: false }, 7)).toBe('No editor opened it (set $VISUAL or $EDITOR, or install VS Code); shown in its folder: line 7');
    expect(openedMessage({ opened: 'folder', atLine: false, problem: 'code failed: exit 1' }, 7)).toBe('No editor opened it (code failed: exit 1); shown in its folder: line 7');
    expect(openedMessage({ opened: 'none', atLine: false }, 7)).toBe('Line 7 of appliance.yaml');
  });
});
