// The first-run summary (npm start) from a synthesized output directory: no synthesis here.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSummary, summarize } from '../../scripts/first-run';
import { NAG_PACKS } from '../../app/app';

describe('the first-run summary', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = mkdtempSync(join(tmpdir(), 'first-run-'));
    writeFileSync(join(outdir, 'data-tier-dev.template.json'), JSON.stringify({ Resources: { A: {}, B: {}, C: {} } }));
  });
  afterEach(() => rmSync(outdir, { recursive: true, force: true }));

  it('counts resources and reads an empty validation report as every pack passing', () => {
    writeFileSync(join(outdir, 'validation-report.json'), JSON.stringify({ version: '55.0.0', title: 'Validation Report', pluginReports: [] }));
    const summary = summarize('dev', outdir, 9.6);
    expect(summary).toMatchObject({ resources: 3, nag: { passed: true, failures: [] } });
    const text = formatSummary([summary]);
    expect(text).toMatch(/dev\s+\S*data-tier-dev\.template\.json\s+3\s+5 packs pass\s+10 s/);
    expect(text).toContain(`cdk-nag packs: AwsSolutions, NIST 800-53 rev 5, HIPAA Security, PCI DSS 3.2.1, Serverless`);
    expect(NAG_PACKS).toHaveLength(5);
    expect(text).not.toMatch(/cost/i);
  });

  it('names each pack that found something, and shows the cost column only when there is an estimate', () => {
    writeFileSync(
      join(outdir, 'validation-report.json'),
      JSON.stringify({ pluginReports: [{ summary: { pluginName: 'HIPAA.Security', status: 'failure' }, violations: [{}, {}] }] }),
    );
    const summary = summarize('dev', outdir, 1);
    expect(summary.nag).toEqual({ passed: false, failures: ['HIPAA.Security: 2 finding(s)'] });
    const text = formatSummary([{ ...summary, monthlyCost: '~$1,234 a month' }]);
    expect(text).toContain('FAILED: HIPAA.Security: 2 finding(s)');
    expect(text).toContain('estimated cost');
    expect(text).toContain('~$1,234 a month');
  });
});
