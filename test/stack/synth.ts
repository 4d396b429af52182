import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../app/app';
import { ConfigSources, EnvironmentName } from '../../app/config';
import { DataTierStack } from '../../app/data-tier-stack';

/** Fixed account and region so templates are comparable between runs and machines. */
export const TEST_ENVIRONMENT = { CDK_DEFAULT_ACCOUNT: '111111111111', CDK_DEFAULT_REGION: 'us-east-1' };

export interface Synthesized {
  readonly app: App;
  readonly stack: DataTierStack;
  readonly template: Template;
}

const cache = new Map<string, Synthesized>();

/**
 * Synthesizes an environment once per test file (and per distinct context). Lambda code is
 * not bundled unless asked for: template assertions do not need it, and bundling is most
 * of the synth time.
 */
export function synthesize(
  envName: EnvironmentName,
  context: Record<string, unknown> = {},
  options: { bundle?: boolean; sources?: Pick<ConfigSources, 'environmentsDirectory' | 'templatesDirectory' | 'now'> } = {},
): Synthesized {
  const key = JSON.stringify([envName, context, options]);
  let synthesized = cache.get(key);
  if (!synthesized) {
    const app = new App(options.bundle ? {} : { context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = buildApp(app, { ...options.sources, context: { env: envName, ...context }, environment: TEST_ENVIRONMENT });
    synthesized = { app, stack, template: Template.fromStack(stack) };
    cache.set(key, synthesized);
  }
  return synthesized;
}
