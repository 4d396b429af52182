// The package's public surface as API Extractor reports it, one report per entry point
// (api/<report>.api.md). `npm run api:check` fails when the surface differs from the committed
// reports; `npm run api:update` rewrites them, so every change to the surface is seen in review.
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO = join(__dirname, '..');

/** Each entry point of package.json's `exports`, by its declaration file under dist/, and its report. */
export const API_ENTRY_POINTS = [
  { declarations: 'index.d.ts', report: 'postgres-data-tier' },
  { declarations: 'migrations/index.d.ts', report: 'postgres-data-tier-migrations' },
  { declarations: 'client/index.d.ts', report: 'postgres-data-tier-client' },
] as const;

export interface ApiReportResult {
  readonly report: string;
  /** The surface differs from the committed report (in check mode: the report was not updated). */
  readonly changed: boolean;
  readonly errors: number;
}

/** Builds the declarations into a scratch directory and compares (or, with `update`, rewrites) each report. */
export function apiReports(update: boolean): ApiReportResult[] {
  const scratch = mkdtempSync(join(tmpdir(), 'data-tier-api-'));
  try {
    const declarations = join(scratch, 'dist');
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(REPO, 'tsconfig.build.json'), '--emitDeclarationOnly', '--outDir', declarations], { stdio: 'inherit' });
    return API_ENTRY_POINTS.map((entry) => {
      const config = ExtractorConfig.prepare({
        configObject: {
          projectFolder: REPO,
          mainEntryPointFilePath: join(declarations, entry.declarations),
          compiler: { tsconfigFilePath: join(REPO, 'tsconfig.build.json') },
          apiReport: { enabled: true, reportFileName: entry.report, reportFolder: join(REPO, 'api'), reportTempFolder: join(scratch, 'api') },
          docModel: { enabled: false },
          dtsRollup: { enabled: false },
          tsdocMetadata: { enabled: false },
          messages: {
            // Release tags (@public, @beta) are not used: everything exported is public.
            extractorMessageReporting: {
              'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None },
              // A type the surface uses but the entry point does not export: in the report, so review sees it.
              'ae-forgotten-export': { logLevel: ExtractorLogLevel.None, addToApiReportFile: true },
            },
          },
        },
        configObjectFullPath: undefined,
        packageJsonFullPath: join(REPO, 'package.json'),
      });
      const result = Extractor.invoke(config, { localBuild: update, showVerboseMessages: false });
      return { report: `api/${entry.report}.api.md`, changed: result.apiReportChanged, errors: result.errorCount };
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const update = process.argv.includes('--update');
  const results = apiReports(update);
  for (const r of results) console.log(`${r.report}: ${r.changed ? (update ? 'updated' : 'DIFFERS from the public surface') : 'up to date'}${r.errors ? `, ${r.errors} errors` : ''}`);
  if (!update && results.some((r) => r.changed || r.errors > 0)) {
    console.error('The public surface changed: review it, then run npm run api:update and commit api/.');
    process.exit(1);
  }
}
