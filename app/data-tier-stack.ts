import { Stack, StackProps, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DataTier } from '../lib/data-tier';
import { ApplicationMigrationsSource } from '../lib/functions/shared/migration-streams';
import { AppConfig, dataTierPropsOf, stackNameFor } from './config';
import { committedTemplateName, deployedTier } from './deployed-version';

export { OUTPUTS } from '../lib/outputs';

export interface DataTierStackProps extends StackProps {
  /** The configuration of the environment. */
  readonly config: AppConfig;
  /**
   * The application's migration directories (with the schemas each stream owns), applied at
   * deploy time after the data tier's own stream, each a stream named after its directory.
   * @default - none
   */
  readonly applicationMigrations?: readonly (string | ApplicationMigrationsSource)[];
  /**
   * The PostgreSQL major the deployed instances run; a different `engineMajorVersion` is refused
   * unless the blue/green switchover is acknowledged.
   * @default - the primary's in the stack's committed template (app/templates/<env>.template.json, or <name>.template.json for a named tier); none for a stack never deployed
   */
  readonly deployedEngineMajorVersion?: number;
  /**
   * Where the committed templates are read.
   * @default app/templates
   */
  readonly templatesDirectory?: string;
}

/** The project's own stack: one `DataTier` per environment, configured by its settings file, app/environments/<env>.json. */
export class DataTierStack extends Stack {
  readonly config: AppConfig;
  /**
   * The tier, under the id `Default`, which logical IDs leave out: the stack's resources keep
   * the IDs they had when the stack built them itself, so deployed stacks update in place.
   */
  readonly tier: DataTier;

  constructor(scope: Construct, id: string, props: DataTierStackProps) {
    super(scope, id, props);
    this.config = props.config;
    Tags.of(this).add('data-tier:environment', props.config.envName);
    const tierProps = dataTierPropsOf(this, props.config);
    const deployedMajorVersion = props.deployedEngineMajorVersion ?? deployedTier(committedTemplateName(props.config), props.templatesDirectory)?.engineMajorVersion;
    this.tier = new DataTier(this, 'Default', {
      ...tierProps,
      database: { ...tierProps.database, deployedMajorVersion },
      name: stackNameFor(props.config),
      applicationMigrations: props.applicationMigrations,
    });
  }
}
