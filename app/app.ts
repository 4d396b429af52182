import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { AppConfig, ConfigSources, resolveConfig, stackNameFor } from './config';
import { DataTierStack } from './data-tier-stack';
import { EXAMPLE_APPLICATION_MIGRATIONS } from './migrations';
import { recordAcknowledgements } from '../lib/nag';

/** The rule packs every environment must pass. */
export const NAG_PACKS = [AwsSolutionsChecks, NIST80053R5Checks, HIPAASecurityChecks, PCIDSS321Checks, ServerlessChecks] as const;

export interface BuildOptions {
  /** Register the cdk-nag packs as validation plugins (the CLI app does; tests call `validateScope` instead). */
  readonly registerNagPacks?: boolean;
  /**
   * Write every acknowledgement once into the template's top-level Metadata (`cdk_nag`).
   * @default registerNagPacks
   */
  readonly recordAcknowledgements?: boolean;
}

/**
 * Builds the app for the environment named in context: config is resolved and checked
 * first, so a bad value fails before any construct exists.
 */
export function buildApp(app: App, sources?: Partial<ConfigSources>, options: BuildOptions = {}): DataTierStack {
  const config = resolveConfig({
    context: sources?.context ?? readContext(app),
    environment: sources?.environment ?? process.env,
    overridesDirectory: sources?.overridesDirectory,
  });
  pinZonesInContext(app, config);
  const stack = new DataTierStack(app, stackNameFor(config), {
    config,
    applicationMigrations: [EXAMPLE_APPLICATION_MIGRATIONS],
    env: { account: config.account, region: config.region },
    description: `PostgreSQL data tier (${config.envName}): RDS across three AZs, RDS Proxy, cache, backups`,
    terminationProtection: config.envName !== 'dev',
  });
  if (options.registerNagPacks) {
    // Not `writeSuppressionsToCloudFormation`: it copies every acknowledgement of a construct
    // and its ancestors onto each resource below it (a third of the template's bytes).
    for (const Pack of NAG_PACKS) Validations.of(app).addPlugins(new Pack(app));
  }
  if (options.recordAcknowledgements ?? options.registerNagPacks) recordAcknowledgements(stack);
  return stack;
}

/**
 * A stack with an explicit account looks its region's zones up at synth, which needs AWS
 * credentials; the configured zones are the answer, so synthesis stays offline.
 */
function pinZonesInContext(app: App, config: AppConfig): void {
  if (config.account === undefined) return;
  const key = `availability-zones:account=${config.account}:region=${config.region}`;
  if (app.node.tryGetContext(key) === undefined) app.node.setContext(key, config.availabilityZones);
}

function readContext(app: App): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const key of ['env', 'account', 'region', 'availabilityZones', 'overrides']) {
    const value = app.node.tryGetContext(key);
    if (value !== undefined) context[key] = value;
  }
  return context;
}
