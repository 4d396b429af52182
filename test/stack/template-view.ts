import { Acknowledgment, App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { IConstruct } from 'constructs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A stack's synthesized template, included back into an app of its own for the nag packs. */
export interface TemplateView {
  readonly app: App;
  readonly include: CfnInclude;
  /** Path, in the original app, of the construct a logical id came from. */
  pathOf(logicalId: string): string;
}

/**
 * The packs walk the construct tree, and their rules test each resource's class
 * (`instanceof CfnFunction`, `CfnRole`...): a resource aws-cdk-lib builds as a plain
 * `CfnResource`, as it does for the singleton providers of its own custom resources
 * (`Custom::VpcRestrictDefaultSG`), passes every rule unread. Included back with
 * `CfnInclude`, every resource of the template gets its typed class; each keeps the
 * acknowledgements recorded on its construct and that construct's ancestors.
 */
export function templateView(stack: Stack, template: Record<string, unknown>): TemplateView {
  const app = new App();
  const dir = mkdtempSync(join(tmpdir(), 'nag-template-'));
  let include: CfnInclude;
  try {
    const templateFile = join(dir, 'template.json');
    writeFileSync(templateFile, JSON.stringify(template));
    include = new CfnInclude(new Stack(app, 'Template'), 'Included', { templateFile });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const paths = new Map<string, string>();
  for (const resource of stack.node.findAll().filter(CfnResource.isCfnResource)) {
    const logicalId: string = stack.resolve(resource.logicalId);
    paths.set(logicalId, resource.node.path);
    const acknowledgements = acknowledgementsOf(resource);
    if (acknowledgements.length > 0) Validations.of(include.getResource(logicalId)).acknowledge(...acknowledgements);
  }
  return { app, include, pathOf: (logicalId) => paths.get(logicalId) ?? logicalId };
}

function acknowledgementsOf(resource: IConstruct): Acknowledgment[] {
  const acknowledgements: Acknowledgment[] = [];
  for (let scope: IConstruct | undefined = resource; scope; scope = scope.node.scope) {
    for (const entry of scope.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)) {
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        // Ids without a known plugin prefix are recorded as annotations; acknowledge() adds it again.
        acknowledgements.push({ id: id.replace(/^annotation::/i, ''), reason });
      }
    }
  }
  return acknowledgements;
}
