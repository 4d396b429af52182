import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** A cdk-nag finding that is wrong for this design, and why. */
export interface Acknowledgement {
  /** Rule id as cdk-nag reports it, including any `[finding]` suffix. */
  readonly id: string;
  /** Why the finding does not apply, for a security reviewer. */
  readonly reason: string;
}

/** Acknowledges findings on one construct (keep it the narrowest one the finding names). */
export function acknowledge(construct: IConstruct, ...acknowledgements: Acknowledgement[]): void {
  Validations.of(construct).acknowledge(...acknowledgements);
}

/** The same finding as reported by each pack that carries it. */
export function acrossPacks(rule: { awsSolutions?: string; nist?: string; hipaa?: string }, reason: string): Acknowledgement[] {
  return [
    rule.awsSolutions && { id: `AwsSolutions-${rule.awsSolutions}`, reason },
    rule.nist && { id: `NIST.800.53.R5-${rule.nist}`, reason },
    rule.hipaa && { id: `HIPAA.Security-${rule.hipaa}`, reason },
  ].filter((a): a is Acknowledgement => Boolean(a));
}

/** Zones are pinned on purpose: they come from validated config, so every zone holds a node. */
export const PINNED_ZONE: Acknowledgement = {
  id: 'CloudFormation-Validate::W3010',
  reason: 'Availability zones are pinned on purpose from the validated config (three explicit zones) so that every zone holds a node.',
};
