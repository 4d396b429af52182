import { Match, Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { SchemaMigrations } from '../../lib/schema';
import { databaseWithPlacement, newStack } from './support';

/** A stack with a `Database` and its `SchemaMigrations`, applying `applicationMigrations` after the tier's own. */
function schemaTemplate(applicationMigrations?: string[]): Template {
  const stack = newStack();
  const { database, placement } = databaseWithPlacement(stack);
  new SchemaMigrations(stack, 'Schema', {
    ...placement,
    writerEndpointAddress: database.writerEndpoint.hostname,
    writer: database.writer,
    secret: database.secret,
    monitorSecret: database.monitorSecret,
    operatorSecret: database.operatorSecret,
    applicationMigrations,
  });
  return Template.fromStack(stack);
}

const sqlHashOf = (template: Template): string => Object.values(template.findResources('Custom::SchemaMigrations'))[0].Properties.SqlHash;

describe('SchemaMigrations of a Database', () => {
  const template = schemaTemplate();

  test('migrates through a custom resource that waits for the primary', () => {
    template.resourceCountIs('Custom::SchemaMigrations', 1);
    template.hasResource('Custom::SchemaMigrations', {
      Properties: { SqlHash: Match.stringLikeRegexp('^[0-9a-f]{16,}$') },
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^DbPrimary')]),
    });
  });

  test('runs the tier\'s own stream in a function that reaches the primary directly, one at a time', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'orders-schema-migrations',
      Timeout: 900,
      ReservedConcurrentExecutions: 1,
      Environment: { Variables: Match.objectLike({ MIGRATION_STREAMS: 'data_tier', DB_HOST: Match.anyValue() }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'orders-schema-migrations-provider' });
  });
});

describe('SchemaMigrations with an application migration directory', () => {
  const directory = mkdtempSync(join(tmpdir(), 'orders-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  writeFileSync(join(directory, '001_orders.sql'), 'CREATE TABLE orders (id bigint);');
  const first = schemaTemplate([directory]);

  test('applies it after the tier\'s own stream, as a stream named after the directory', () => {
    first.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'orders-schema-migrations',
      Environment: { Variables: Match.objectLike({ MIGRATION_STREAMS: `data_tier,${basename(directory).toLowerCase()}` }) },
    });
  });

  test('changes SqlHash when the directory\'s content changes, so the migrations run again', () => {
    expect(sqlHashOf(first)).not.toBe(sqlHashOf(schemaTemplate()));
    writeFileSync(join(directory, '002_index.sql'), 'CREATE INDEX ON orders (id);');
    const second = schemaTemplate([directory]);
    expect(sqlHashOf(second)).not.toBe(sqlHashOf(first));
  });
});
