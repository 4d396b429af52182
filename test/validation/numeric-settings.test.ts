// Every numeric setting of app/settings.ts is checked against its kind before any conversion: a
// negative, a non-number and (where AWS takes a whole number) a fraction are refused with the
// setting's name, the value and what is allowed, never a stack trace from a Duration or a CDK
// construct. The settings are walked from the table, so a new numeric setting is covered too.
import { App } from 'aws-cdk-lib';
import { buildApp } from '../../app/app';
import { resolveConfig } from '../../app/config';
import { Kind } from '../../app/setting-kinds';
import { SETTINGS } from '../../app/settings';
import { DEFAULT_ALARM_THRESHOLDS } from '../../lib/alarm-thresholds';
import { DataTierValidationError } from '../../lib/private/validation';

const TEST_ENVIRONMENT = { CDK_DEFAULT_ACCOUNT: '111111111111', CDK_DEFAULT_REGION: 'us-east-1' };

interface NumericSetting {
  /** Where the number is in a settings file, e.g. `database.applicationRoles[0].statementTimeoutMs`. */
  readonly path: string;
  /** Whether only whole numbers are allowed. */
  readonly whole: boolean;
  /** Settings holding `value` there, and nothing else. */
  readonly settingsWith: (value: unknown) => object;
}

/** Every number in the settings' kinds: settings, fields of object settings, fields of list elements. */
function numericSettings(): NumericSetting[] {
  const found: NumericSetting[] = [];
  const walk = (kind: Kind<unknown>, path: string, settingsWith: (value: unknown) => object): void => {
    if (kind.number) found.push({ path, whole: kind.number.whole, settingsWith });
    for (const [name, field] of Object.entries(kind.fields ?? {})) walk(field, `${path}.${name}`, (value) => settingsWith({ [name]: value }));
    if (kind.element) walk(kind.element, `${path}[0]`, (value) => settingsWith([value]));
  };
  for (const [path, setting] of Object.entries(SETTINGS)) {
    const [group, name] = path.split('.');
    walk(setting.kind as Kind<unknown>, path, (value) => ({ [group]: { [name]: value } }));
  }
  return found;
}

const NUMERIC = numericSettings();

/** The refusal of `-c overrides` holding `value` at the setting, from the app's config alone. */
function refusal(setting: NumericSetting, value: unknown): DataTierValidationError | undefined {
  try {
    resolveConfig({ context: { env: 'prod', overrides: JSON.stringify(setting.settingsWith(value)) }, environment: TEST_ENVIRONMENT });
  } catch (error) {
    if (error instanceof DataTierValidationError) return error;
    throw error;
  }
  return undefined;
}

describe('every numeric setting', () => {
  test('is found by walking app/settings.ts, nested ones too', () => {
    const paths = NUMERIC.map((s) => s.path);
    for (const path of ['database.backupRetentionDays', 'cache.snapshotRetentionDays', 'database.slowStatementMs', 'database.applicationRoles[0].statementTimeoutMs', 'database.backupReplication.retentionDays', 'monitoring.thresholds.cpuPercent']) {
      expect(paths).toContain(path);
    }
    expect(NUMERIC.filter((s) => s.whole).length).toBeGreaterThanOrEqual(20);
  });

  test.each(NUMERIC.map((s) => [s.path, s] as const))('%s: a negative and a non-number are refused by name, and a fraction where only whole numbers are allowed', (path, setting) => {
    const negative = refusal(setting, -1);
    expect({ prop: negative?.prop, value: negative?.value }).toEqual({ prop: `overrides.${path}`, value: -1 });
    expect(negative?.allowed).toMatch(/, 0 or more, not negative$/);

    const text = refusal(setting, '7');
    expect({ prop: text?.prop, value: text?.value }).toEqual({ prop: `overrides.${path}`, value: '7' });
    expect(text?.allowed).toMatch(/^must be a number: a (whole )?number, 0 or more$/);

    const fraction = refusal(setting, 7.5);
    if (setting.whole) {
      expect({ prop: fraction?.prop, value: fraction?.value }).toEqual({ prop: `overrides.${path}`, value: 7.5 });
      expect(fraction?.allowed).toBe('must be a whole number, 0 or more, not a fraction; did you mean 7 or 8?');
    } else {
      expect(fraction).toBeUndefined();
    }
  });

  test.each([
    [{ database: { backupRetentionDays: 7.5 } }, 'overrides.database.backupRetentionDays', 7.5],
    [{ cache: { snapshotRetentionDays: 15.5 } }, 'overrides.cache.snapshotRetentionDays', 15.5],
    [{ database: { slowStatementMs: -1 } }, 'overrides.database.slowStatementMs', -1],
  ])('%j stops the app with a refusal naming the setting (it was a stack trace from a Duration)', (settings, prop, value) => {
    let thrown: unknown;
    try {
      buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), { context: { env: 'prod', overrides: JSON.stringify(settings) }, environment: TEST_ENVIRONMENT });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DataTierValidationError);
    expect(thrown).toMatchObject({ path: '', prop, value });
  });

  test('a fraction in every alarm threshold at once (CloudWatch compares with any number) builds the app', () => {
    const thresholds = Object.fromEntries(Object.entries(DEFAULT_ALARM_THRESHOLDS).map(([name, value]) => [name, value + 0.5]));
    const context = { env: 'prod', overrides: JSON.stringify({ monitoring: { thresholds } }) };
    expect(() => buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), { context, environment: TEST_ENVIRONMENT })).not.toThrow();
  });
});
