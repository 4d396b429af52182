import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { roleConstructId } from './application-roles';
import type { ApplicationRoleSpec } from './functions/shared/application-role-spec';
import { DataTierValidationError } from './private/validation';

/** Lambda's longest function name. */
const MAX_FUNCTION_NAME_LENGTH = 64;

/** Where the secrets of the `secret` application roles live and how they rotate. */
export interface ApplicationRoleSecretsOptions {
  /** The declared roles, defaults filled in; only those with `signIn: 'secret'` get a secret. */
  readonly roles: readonly ApplicationRoleSpec[];
  /** What each secret is attached to (its host, port and dbname): the primary, or the DB cluster. */
  readonly attachTo: secretsmanager.ISecretAttachmentTarget;
  /** The master secret, attached to the primary: rotation signs in with it to set the passwords. */
  readonly masterSecret: secretsmanager.ISecret;
  readonly encryptionKey: kms.IKey;
  /** Prefix of the physical names: secret `<name>/postgres/app/<role>`, function `<name>-<role>-secret-rotation`. */
  readonly namePrefix: string;
  readonly rotationDays: number;
  readonly vpc: ec2.IVpc;
  readonly functionSubnets: ec2.SubnetSelection;
  readonly rotationSecurityGroup: ec2.ISecurityGroup;
  /** How refusals name the list of roles. */
  readonly prop: string;
}

/** The secret of each `secret` role, by name, and their rotations. */
export interface ApplicationRoleSecrets {
  readonly secrets: Readonly<Record<string, secretsmanager.ISecret>>;
  readonly rotations: readonly secretsmanager.RotationSchedule[];
}

/**
 * A secret for each role that signs in with one, under `scope/ApplicationRoles`: username the
 * role's name, attached to the primary, and `masterarn` in its JSON, which AWS's alternating-users
 * rotation needs. The rotation alternates between `<role>` and `<role>_clone`, so the previous
 * credentials stay valid through a rotation and open pools keep working. The migrations create the
 * role with the secret's password; the rotation must wait for them (the caller adds that order).
 */
export function addApplicationRoleSecrets(scope: Construct, options: ApplicationRoleSecretsOptions): ApplicationRoleSecrets {
  const secretRoles = options.roles.filter((role) => role.signIn === 'secret');
  const secrets: Record<string, secretsmanager.ISecret> = {};
  const rotations: secretsmanager.RotationSchedule[] = [];
  if (secretRoles.length === 0) return { secrets, rotations };
  const parent = new Construct(scope, 'ApplicationRoles');
  for (const role of secretRoles) {
    const functionName = `${options.namePrefix}-${role.name}-secret-rotation`;
    if (functionName.length > MAX_FUNCTION_NAME_LENGTH) {
      throw new DataTierValidationError(
        scope.node.path,
        `${options.prop}[${options.roles.indexOf(role)}].name`,
        role.name,
        `makes the rotation function name ${functionName} (${functionName.length} characters), longer than Lambda's ${MAX_FUNCTION_NAME_LENGTH}: shorten the role's name or the tier's`,
      );
    }
    const secret = new rds.DatabaseSecret(parent, roleConstructId(role.name), {
      username: role.name,
      masterSecret: options.masterSecret,
      secretName: `${options.namePrefix}/postgres/app/${role.name}`,
      encryptionKey: options.encryptionKey,
    }).attach(options.attachTo);
    secrets[role.name] = secret;
    rotations.push(
      secret.addRotationSchedule('Rotation', {
        automaticallyAfter: Duration.days(options.rotationDays),
        hostedRotation: secretsmanager.HostedRotation.postgreSqlMultiUser({
          masterSecret: options.masterSecret,
          functionName,
          vpc: options.vpc,
          vpcSubnets: options.functionSubnets,
          securityGroups: [options.rotationSecurityGroup],
        }),
      }),
    );
  }
  return { secrets, rotations };
}
