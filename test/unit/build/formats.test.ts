import { describe, expect, it } from 'vitest';
import { DISK_FORMATS, FORMAT_TABLE, formatLabels, formatOf, OUTPUT_FORMATS } from '../../../src-main/build/formats';
import { exportFormats } from '../../../src-main/build/output-stages';
import { runBuild } from '../../../src-main/build/pipeline';
import { buildCommand } from '../../../src-main/cli/commands/build';
import { applianceJsonSchema } from '../../../src-main/spec/json-schema';
import { loadSpec } from '../../../src-main/spec/load';
import { tmpAppliance } from '../spec/fixtures';

// The table is the one list of output formats: everything people see comes from it.
describe('output format table', () => {
  it('lists the formats (at least the six), every disk format with qemu-img options and a read-back driver', () => {
    expect(OUTPUT_FORMATS).toEqual(expect.arrayContaining(['raw', 'qcow2', 'vmdk', 'vhd', 'vdi', 'ova']));
    expect(DISK_FORMATS).toEqual(OUTPUT_FORMATS.filter((f) => f !== 'ova'));
    for (const f of DISK_FORMATS) expect(formatOf(f).qemuImg.driver, f).toBeTruthy();
    for (const f of FORMAT_TABLE) {
      expect(f.label, f.name).toBeTruthy();
      expect(f.extension, f.name).toMatch(/^[a-z0-9]+$/);
    }
    expect(new Set(FORMAT_TABLE.map((f) => f.extension)).size).toBe(FORMAT_TABLE.length);
  });

  it('is what the spec accepts, what the schema offers, the CLI usage and the faces show', () => {
    const dir = tmpAppliance('name: f\nversion: 1.0.0\noutputs: [raw, vmdx]\n');
    expect(loadSpec(dir).problems.map((p) => p.message)).toEqual([`expected one of ${OUTPUT_FORMATS.join(', ')}, found 'vmdx'`]);
    const outputs = (applianceJsonSchema() as { properties: { outputs: { items: { enum: string[] } } } }).properties.outputs.items.enum;
    expect(outputs).toEqual([...OUTPUT_FORMATS]);
    expect(buildCommand.usage).toContain(`outputs: ${OUTPUT_FORMATS.join(',')} (default`);
    expect(formatLabels().map((f) => f.name)).toEqual([...OUTPUT_FORMATS]);
  });

  it('refuses an unknown output before anything is built, naming the formats', async () => {
    const dir = tmpAppliance('name: f\nversion: 1.0.0\n');
    const spec = loadSpec(dir).spec!;
    await expect(runBuild({ spec, home: dir, outputs: ['vmdx'] })).rejects.toThrow(`Unknown output "vmdx"; choose from ${OUTPUT_FORMATS.join(', ')}.`);
  });

  it('exports every disk format of the table but raw (the disk itself), the OVA\'s vmdk first', () => {
    expect(exportFormats({ formats: [...DISK_FORMATS], ova: false })).toEqual(['vmdk', ...DISK_FORMATS.filter((f) => f !== 'raw' && f !== 'vmdk')]);
    expect(exportFormats({ formats: ['raw', 'qcow2'], ova: true })).toEqual(['vmdk', 'qcow2']);
    expect(exportFormats({ formats: ['raw'], ova: false })).toEqual([]);
  });
});
