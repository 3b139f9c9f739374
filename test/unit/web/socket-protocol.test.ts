import { describe, expect, it } from 'vitest';
import { parseCallMessage } from '../../../src-main/web/socket-protocol';

describe('parseCallMessage', () => {
  it('accepts {id, command, request}', () => {
    expect(parseCallMessage('{"id":1,"command":"app.info","request":{}}')).toEqual({ ok: true, message: { id: 1, command: 'app.info', request: {} } });
  });

  it('explains what is wrong with anything else, keeping the id when there is one', () => {
    expect(parseCallMessage('nope')).toEqual({ ok: false, id: null, message: 'message is not JSON' });
    expect(parseCallMessage('[1]')).toMatchObject({ ok: false, id: null });
    expect(parseCallMessage('{"command":"app.info"}')).toMatchObject({ ok: false, id: null, message: expect.stringContaining('"id"') });
    expect(parseCallMessage('{"id":"a"}')).toMatchObject({ ok: false, id: 'a', message: expect.stringContaining('"command"') });
  });
});
