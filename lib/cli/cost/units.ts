// The units the estimate counts in: a month of 730 hours (AWS's monthly pricing convention) and
// amounts rounded to cents, or to the digits a quantity shows.

export const HOURS_PER_MONTH = 730;
export const MINUTES_PER_MONTH = HOURS_PER_MONTH * 60;
export const SECONDS_PER_MONTH = MINUTES_PER_MONTH * 60;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
