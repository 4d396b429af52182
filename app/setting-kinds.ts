/**
 * The JSON kinds a setting's value may be. A kind is a sample value of its JSON type (the shape
 * whose keys the environment files and `-c overrides` are checked against), the check of a value
 * (its JSON type and, for a number, its range: no negatives, and no fraction where AWS takes a
 * whole number), and it gives the TypeScript type the app reads the value as. A value is checked
 * against its kind before any conversion, so a fraction or a negative never reaches a `Duration`
 * or a CloudFormation property: the refusal names the setting, the value and what is allowed.
 */
import { DataTierValidationError } from '../lib/private/validation';

/** A JSON type: `sample` is a value of it (`''`, `0`, `true`, `['']`, or an object of samples). */
export interface Kind<T> {
  readonly sample: T;
  /** Refuses `value` unless it is of this kind; `field` is where it is, e.g. `overrides.database.replicaCount`. */
  check(field: string, value: unknown): void;
  /** For a number kind: whether it takes only whole numbers. */
  readonly number?: { readonly whole: boolean };
  /** For an object kind: the kind of each field. */
  readonly fields?: Readonly<Record<string, Kind<unknown>>>;
  /** For a list kind: the kind of each element. */
  readonly element?: Kind<unknown>;
}

/** A field of an object kind that may be left out. */
export interface OptionalKind<T> extends Kind<T> {
  readonly optional: true;
}

/** The TypeScript type of a kind's values. */
export type TypeOf<K> = K extends Kind<infer T> ? T : never;

type Fields = Record<string, Kind<unknown>>;
type OptionalFieldsOf<F extends Fields> = { [Name in keyof F]: F[Name] extends OptionalKind<unknown> ? Name : never }[keyof F];
type RequiredFieldsOf<F extends Fields> = Exclude<keyof F, OptionalFieldsOf<F>>;
type ObjectOf<F extends Fields> = { readonly [Name in RequiredFieldsOf<F>]: TypeOf<F[Name]> } & { readonly [Name in OptionalFieldsOf<F>]?: TypeOf<F[Name]> };

const refuse = (field: string, value: unknown, allowed: string): never => {
  throw new DataTierValidationError('', field, value, allowed);
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A number 0 or more; with `whole`, without a fraction. JSON has no NaN or Infinity, but a value
 * given as an object (cdk.json) might.
 */
function numberKind(whole: boolean): Kind<number> {
  const allowed = whole ? 'a whole number, 0 or more' : 'a number, 0 or more';
  return {
    sample: 0,
    number: { whole },
    check(field, value) {
      if (typeof value !== 'number' || !Number.isFinite(value)) refuse(field, value, `must be a number: ${allowed}`);
      const number = value as number;
      if (number < 0) refuse(field, value, `must be ${allowed}, not negative`);
      if (whole && !Number.isInteger(number)) refuse(field, value, `must be ${allowed}, not a fraction; did you mean ${Math.floor(number)} or ${Math.ceil(number)}?`);
    },
  };
}

function scalarKind<T extends string | boolean>(sample: T, allowed: string): Kind<T> {
  return {
    sample,
    check(field, value) {
      if (typeof value !== typeof sample) refuse(field, value, allowed);
    },
  };
}

function objectKind<T>(fields: Fields, sample: T): Kind<T> {
  return {
    sample,
    fields,
    check(field, value) {
      if (!isObject(value)) refuse(field, value, 'must be a JSON object');
      // Unknown keys were refused by then (rejectUnknownKeys, which suggests the nearest); a missing required field is the merged settings' to refuse.
      for (const [name, item] of Object.entries(value as Record<string, unknown>)) fields[name]?.check(`${field}.${name}`, item);
    },
  };
}

/** A list whose elements are all of `element`'s kind (for an object kind, each checked against its fields). */
function listKind<T>(element: Kind<T>): Kind<T[]> {
  return {
    sample: [element.sample],
    element,
    check(field, value) {
      if (!Array.isArray(value)) refuse(field, value, `must be a list of ${element.fields ? 'object' : typeof element.sample} values`);
      (value as unknown[]).forEach((item, i) => element.check(`${field}[${i}]`, item));
    },
  };
}

const string = scalarKind<string>('', 'must be a string');

export const kind = {
  string,
  /** A whole number, 0 or more: a count, a size, a port, a version, a duration in whole units. */
  wholeNumber: numberKind(true),
  /** A number, 0 or more, fractions allowed (an alarm threshold). */
  number: numberKind(false),
  boolean: scalarKind<boolean>(true, 'must be a boolean (true or false)'),
  stringList: listKind(string),
  list: listKind,

  /**
   * An object of the given fields. That a required field is there is checked once the layers are
   * merged (it may come from another one), by the app's rules.
   */
  object<F extends Fields>(fields: F): Kind<ObjectOf<F>> {
    return objectKind(fields, Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, field.sample])) as ObjectOf<F>);
  },

  /** A field of an object that may be left out. */
  optional<T>(field: Kind<T>): OptionalKind<T> {
    return { ...field, optional: true };
  },

  /** An object with any of the fields of `sample`, each of kind `field`. */
  someFieldsOf<T extends object>(sample: T, field: Kind<T[keyof T]>): Kind<Partial<T>> {
    return objectKind(Object.fromEntries(Object.keys(sample).map((name) => [name, field])), sample);
  },
};
