import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ALARM_DEFINITIONS } from '../../lib/alarms';
import { outputNames, outputVariables } from '../../lib/cli/outputs';
import {
  anchorsIn, assignedVariables, evalsOutputs, INDEX_FILE, markdownLinks, OUTPUTS_EVAL, readIndex, readRunbook, RUNBOOK_DIR, runbookFiles, SECTIONS, shellLines, shellScript, usedVariables,
} from './runbooks';

const files = runbookFiles();

/** The index's Before you start section, every runbook's shared preamble. */
function beforeYouStart(): string {
  const index = readIndex();
  return index.slice(index.indexOf('## Before you start'));
}

describe('runbook structure', () => {
  it('finds the runbooks', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each([...new Set(ALARM_DEFINITIONS.map((d) => d.runbook))])('the runbook %s that an alarm names exists', (file) => {
    expect(existsSync(path.join(RUNBOOK_DIR, file))).toBe(true);
  });

  it.each(files)('%s has exactly the seven sections, in order', (file) => {
    expect(readRunbook(file).headings).toEqual([...SECTIONS]);
  });

  it.each(files)('%s starts its Diagnosis with the shared Before you start procedure, not a copy of it', (file) => {
    const runbook = readRunbook(file);
    const diagnosis = runbook.sections.get('Diagnosis') ?? '';
    const beforeFirstBlock = diagnosis.split(/^\s*```/m)[0];
    expect(beforeFirstBlock).toContain('](README.md#before-you-start)');
    const copied = runbook.blocks
      .filter((b) => b.language === 'bash')
      .flatMap((b) => shellLines(b.text))
      .filter((line) => /^(ENV|TIER|STACK|TUNNEL_PORT|OPERATOR_SECRET_ARN|MASTER_SECRET_ARN|MASTER_PASSWORD)=|curl .*\.pem|OperatorSecretArn|DatabaseSecretArn/.test(line))
      // The recovery region's stack is another stack, whose secret no procedure fetches.
      .filter((line) => !line.includes('--region'));
    expect(copied).toEqual([]);
  });

  it.each(files)('%s reaches the database only through the tunnel', (file) => {
    for (const m of readRunbook(file).text.matchAll(/psql "host=\$([A-Z0-9_]+) [^"]*"/g)) {
      expect(m[0]).toContain(' hostaddr=127.0.0.1 port=$TUNNEL_PORT ');
    }
  });

  it.each(files)('%s has shell blocks that bash can parse', (file) => {
    for (const block of readRunbook(file).blocks.filter((b) => b.language === 'bash')) {
      expect(() => execFileSync('bash', ['-n'], { input: block.text, stdio: ['pipe', 'pipe', 'pipe'] })).not.toThrow();
    }
  });

  it.each(files)('%s fences every code block with its language (bash or sql)', (file) => {
    for (const block of readRunbook(file).blocks) expect({ line: block.line, language: block.language }).toEqual({ line: block.line, language: expect.stringMatching(/^(bash|sql)$/) });
  });

  it('fetches the CA bundles the runbooks connect with in Before you start', () => {
    const procedure = beforeYouStart();
    expect(procedure).toContain('curl -sSfO https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem');
    expect(procedure).toContain('curl -sSfO https://www.amazontrust.com/repository/AmazonRootCA1.pem');
    expect(procedure).toContain('npx data-tier tunnel --deployed --tier "$TIER" --to primary --local-port $TUNNEL_PORT');
    expect(shellLines(procedure)).toContain(OUTPUTS_EVAL);
    expect(procedure).toMatch(/export PGPASSWORD=.*OPERATOR_SECRET_ARN/);
  });

  it.each(files)('%s reads every shell variable it uses from a command shown in the runbook', (file) => {
    const runbook = readRunbook(file);
    const script = shellScript(runbook);
    const shared = shellLines(beforeYouStart()).join('\n');
    const assigned = assignedVariables(`${shared}\n${script}`);
    // The variables `data-tier outputs` may print (any replica count); stack-references.test.ts checks that prod's tier prints those used.
    if (evalsOutputs(`${shared}\n${script}`)) for (const name of outputVariables(outputNames(9))) assigned.add(name);
    const unknown = usedVariables(runbook.text).filter((name) => !assigned.has(name));
    expect(unknown).toEqual([]);
  });

  it.each(files.filter((file) => file !== 'region-loss.md'))('%s sets the tier\'s outputs in its setup block', (file) => {
    // region-loss.md reads the recovery region only: the lost region's stack cannot be described.
    expect(shellLines(readRunbook(file).blocks.find((b) => b.language === 'bash')?.text ?? '')).toContain(OUTPUTS_EVAL);
  });
});

describe('runbook index', () => {
  const index = readIndex();
  const linked = new Set(markdownLinks(index).map((link) => link.file));

  it('links every runbook file', () => {
    expect(files.filter((file) => !linked.has(file))).toEqual([]);
  });

  it('links only files that exist', () => {
    expect([...linked].filter((file) => !existsSync(path.join(RUNBOOK_DIR, file)))).toEqual([]);
  });

  it('has a row with RTO, RPO and the source of the figures for every runbook', () => {
    const rows = index.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Alarm or scenario'));
    for (const file of files) {
      const row = rows.find((line) => line.includes(`](${file})`));
      expect({ file, cells: row?.split('|').length }).toEqual({ file, cells: 7 });
    }
  });

  it('keeps a marked place for the figures measured by the laptop drill', () => {
    expect(index).toContain('### Measured on a laptop drill');
    expect(index).toContain('see the drill: `npx data-tier drill failover`');
  });

  it('cites what AWS documents for failover and point-in-time restore', () => {
    expect(index).toMatch(/60–120 s/);
    expect(index).toMatch(/within about 5 minutes of the latest restorable time/);
  });
});

describe('links between runbooks', () => {
  it.each([INDEX_FILE, ...files])('%s links only to files and headings that exist', (file) => {
    const text = readFileSync(path.join(RUNBOOK_DIR, file), 'utf8');
    for (const link of markdownLinks(text)) {
      const target = path.join(RUNBOOK_DIR, link.file);
      expect({ link, exists: existsSync(target) }).toEqual({ link, exists: true });
      if (link.anchor) expect({ link, anchor: anchorsIn(readFileSync(target, 'utf8')).has(link.anchor) }).toEqual({ link, anchor: true });
    }
  });
});
