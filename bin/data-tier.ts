#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildApp } from '../app/app';
import { DataTierValidationError } from '../lib/validation';

const app = new App();
try {
  buildApp(app, undefined, { registerNagPacks: true });
} catch (error) {
  if (error instanceof DataTierValidationError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
app.synth();
