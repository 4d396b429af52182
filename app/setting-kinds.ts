/**
 * The JSON kinds a setting's value may be. A kind is a sample value of its JSON type, the shape
 * the environment files and `-c overrides` are checked against, and it gives the TypeScript type
 * the app reads the value as.
 */

/** A JSON type: `sample` is a value of it (`''`, `0`, `true`, `['']`, or an object of samples). */
export interface Kind<T> {
  readonly sample: T;
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

export const kind = {
  string: { sample: '' } as Kind<string>,
  number: { sample: 0 } as Kind<number>,
  boolean: { sample: true } as Kind<boolean>,
  stringList: { sample: [''] } as Kind<string[]>,

  /** A list whose elements are all of `element`'s kind (for an object kind, each checked against its fields). */
  list<T>(element: Kind<T>): Kind<T[]> {
    return { sample: [element.sample] };
  },

  /**
   * An object of the given fields. That a required field is there is checked once the layers are
   * merged (it may come from another one), by the app's rules.
   */
  object<F extends Fields>(fields: F): Kind<ObjectOf<F>> {
    return { sample: Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, field.sample])) as ObjectOf<F> };
  },

  /** A field of an object that may be left out. */
  optional<T>(field: Kind<T>): OptionalKind<T> {
    return { sample: field.sample, optional: true };
  },

  /** An object with any of the fields of `sample`, each of the type it has there. */
  someFieldsOf<T extends object>(sample: T): Kind<Partial<T>> {
    return { sample };
  },
};
