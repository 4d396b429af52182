// Provisional: replaced by the validation-tables branch.
import { Token } from 'aws-cdk-lib';

export class DataTierValidationError extends Error {
  constructor(
    readonly path: string,
    readonly prop: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`${path ? `${path}: ` : ''}invalid ${prop} = ${JSON.stringify(value)}: ${allowed}`);
    this.name = 'DataTierValidationError';
  }
}

export function requireInteger(path: string, prop: string, value: unknown, min: number, max: number): void {
  if (typeof value === 'number' && Token.isUnresolved(value)) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new DataTierValidationError(path, prop, value, `must be a whole number from ${min} to ${max}`);
  }
}

export function requireOneOf(path: string, prop: string, value: unknown, allowed: readonly unknown[]): void {
  if (!allowed.includes(value)) throw new DataTierValidationError(path, prop, value, `must be one of ${allowed.join(', ')}`);
}

export function requireUnique(path: string, prop: string, values: readonly string[]): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value.toLowerCase())) throw new DataTierValidationError(path, prop, values, `lists ${value} twice`);
    seen.add(value.toLowerCase());
  }
}

export function validateCidr(_path: string, _prop: string, _cidr: string, _need: { subnetsNeeded: number; subnetPrefix: number }): void {}
export function validateZones(_path: string, _prop: string, _region: string, _zones: readonly string[], _opts: { min: number }): void {}
export function validateRdsInstanceClass(_path: string, _prop: string, _instanceClass: string, _majorVersion: number): void {}
export function validateCacheEngineVersion(_path: string, _prop: string, _engine: string, _version: string): void {}
export function validateCacheNodeType(_path: string, _prop: string, _nodeType: string): void {}
export function validateLogRetentionDays(_path: string, _prop: string, _days: number): void {}
export function validateCopyVaultArn(_path: string, _prop: string, _arn: string, _tierRegion: string): void {}
export function rejectUnknownKeys(_path: string, _value: unknown, _shape: unknown): void {}
export function validateRegion(_path: string, _prop: string, _region: string): void {}
