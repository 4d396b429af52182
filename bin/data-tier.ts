#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildApp, buildAuroraSecondaryApp, buildDrReplicaApp } from '../app/app';
import { DataTierValidationError } from '../lib/private/validation';

// aws-cdk-lib's built-in CloudFormation validation takes about 6 s of a 12 s synth and, unless
// asked to fail, only prints warnings. `npm test` runs it over every environment and fails on
// any finding (test/stack/cfn-validation.test.ts); `-c cfnValidation=true` runs it here too.
const cfnValidation = String(new App({ autoSynth: false }).node.tryGetContext('cfnValidation')) === 'true';
const app = new App({ builtinCloudFormationValidation: cfnValidation });
try {
  // -c drReplicaOf=<env> builds that environment's cross-region replica stack instead (runbooks/region-loss.md).
  const drReplicaOf = app.node.tryGetContext('drReplicaOf');
  // -c globalSecondaryOf=<env> builds the secondary region of that environment's Aurora global database.
  const globalSecondaryOf = app.node.tryGetContext('globalSecondaryOf');
  if (drReplicaOf !== undefined && drReplicaOf !== '') buildDrReplicaApp(app, undefined, { registerNagPacks: true });
  else if (globalSecondaryOf !== undefined && globalSecondaryOf !== '') buildAuroraSecondaryApp(app, undefined, { registerNagPacks: true });
  else buildApp(app, undefined, { registerNagPacks: true });
} catch (error) {
  if (error instanceof DataTierValidationError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
app.synth();
