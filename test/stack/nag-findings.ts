import { PolicyValidationPluginReport } from 'aws-cdk-lib';
import { NAG_PACKS } from '../../app/app';
import { TemplateView } from './template-view';

/** [pack name, pack class] of the five packs every environment must pass. */
export const PACKS = NAG_PACKS.map((Pack) => [new Pack().readPackName, Pack] as const);

/**
 * Rules that judge the construct tree rather than the template: VPCDefaultSecurityGroupClosed
 * looks for the L2 Vpc's RestrictDefaultSecurityGroupCustomResource child, which an included
 * template does not have. The run on the construct tree checks them.
 */
const CONSTRUCT_TREE_RULES = ['VPCDefaultSecurityGroupClosed'];

/** `rule: path, path` of each violation, with the paths of the app the template came from. */
export function findings(report: PolicyValidationPluginReport, view?: TemplateView): string[] {
  const pathOf = (constructPath = '') => (view ? view.pathOf(constructPath.split('/').pop()!) : constructPath);
  return report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => pathOf(r.constructPath)).join(', ')}`);
}

/** Violations of a pack on the stack's template, but for the rules only the construct tree can judge. */
export function templateFindings(Pack: (typeof NAG_PACKS)[number], view: TemplateView): string[] {
  return findings(new Pack().validateScope(view.app), view).filter((finding) => !CONSTRUCT_TREE_RULES.some((rule) => finding.includes(`-${rule}:`)));
}
