import { describe, expect, it } from 'vitest';
import { programOf, serviceCommand } from '../../../../src-main/checks/kinds/service';

describe('service', () => {
  it('finds the program a run line starts', () => {
    expect(programOf('httpd -f -p 80')).toBe('httpd');
    expect(programOf('PORT=80 exec /usr/bin/node app.js')).toBe('node');
    expect(programOf('   ')).toBeNull();
  });
  it('checks the pid files init writes, then falls back to the program', () => {
    const cmd = serviceCommand('web', 'httpd -f -p 80');
    expect(cmd).toContain(`f='/run/yoke/services/web.pid'`);
    expect(cmd).toContain(`f='/run/yoke/web.pid'`);
    expect(cmd).toContain('pidof httpd');
    expect(serviceCommand('web')).not.toContain('pidof');
  });
});
