// Where a command writes: the console, or a test's lines.
export interface Output {
  log(line: string): void;
  error(line: string): void;
}
