// A dashboard body as one string, whichever form it was written in: what the review compares.

/**
 * The body as one `Fn::Sub` string (`${Id.Attr}`, `${Id}`, literal `${` as `${!`), from either
 * form; undefined when it holds an intrinsic function other than Ref, GetAtt and Sub. Equal
 * bodies give equal strings, so the review compares dashboards through this.
 */
export function dashboardBodySubstitution(body: unknown): string | undefined {
  const escape = (s: string) => s.replace(/\$\{/g, '${!');
  const part = (p: unknown): string | undefined => {
    if (typeof p === 'string') return escape(p);
    if (p && typeof p === 'object') {
      const [[fn, arg]] = Object.entries(p as Record<string, unknown>);
      if (fn === 'Ref' && typeof arg === 'string') return '${' + arg + '}';
      if (fn === 'Fn::GetAtt' && Array.isArray(arg) && arg.every((a) => typeof a === 'string')) return '${' + arg.join('.') + '}';
      if (fn === 'Fn::Sub' && typeof arg === 'string') return arg;
      if (fn === 'Fn::Join' && Array.isArray(arg) && arg[0] === '' && Array.isArray(arg[1])) {
        const parts = arg[1].map(part);
        return parts.every((x) => x !== undefined) ? parts.join('') : undefined;
      }
    }
    return undefined;
  };
  return part(body);
}
