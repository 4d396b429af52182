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

/** The rule's id in each pack that carries it, without the pack's prefix. */
export interface RuleInPacks {
  readonly awsSolutions?: string;
  readonly nist?: string;
  readonly hipaa?: string;
  readonly pci?: string;
  readonly serverless?: string;
}

/** The prefix each pack puts before its rule ids. */
const PACK_PREFIXES: Record<keyof RuleInPacks, string> = {
  awsSolutions: 'AwsSolutions',
  nist: 'NIST.800.53.R5',
  hipaa: 'HIPAA.Security',
  pci: 'PCI.DSS.321',
  serverless: 'Serverless',
};

/** The same finding as reported by each pack that carries it. */
export function acrossPacks(rule: RuleInPacks, reason: string): Acknowledgement[] {
  return (Object.keys(PACK_PREFIXES) as Array<keyof RuleInPacks>)
    .filter((pack) => rule[pack] !== undefined)
    .map((pack) => ({ id: `${PACK_PREFIXES[pack]}-${rule[pack]}`, reason }));
}

/** Zones are pinned on purpose: they come from validated config, so every zone holds a node. */
export const PINNED_ZONE: Acknowledgement = {
  id: 'CloudFormation-Validate::W3010',
  reason: 'Availability zones are pinned on purpose from the validated config (three explicit zones) so that every zone holds a node.',
};
