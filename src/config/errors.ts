/** A configuration problem found before any work starts; the message names the file and the field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly file: string,
    readonly issues: readonly string[],
  ) {
    super(`${file}: invalid configuration\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
  }
}
