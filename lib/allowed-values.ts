// Provisional: replaced by the validation-tables branch.
export function zonesOf(region: string): string[] | undefined {
  return /^[a-z]{2}-[a-z]+-\d$/.test(region) ? ['a', 'b', 'c'].map((zone) => `${region}${zone}`) : undefined;
}
export const CLOUDWATCH_LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
