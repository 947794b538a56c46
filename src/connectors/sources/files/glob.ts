/**
 * A glob as a regular expression over names relative to the prefix: `*` and `?` stay within one folder
 * level, `**` crosses levels, everything else is literal.
 */
export function globToRegExp(glob: string): RegExp {
  let pattern = '';
  for (let index = 0; index < glob.length; index += 1) {
    const char = glob[index] ?? '';
    if (char === '*' && glob[index + 1] === '*') {
      pattern += '.*';
      index += 1;
    } else if (char === '*') pattern += '[^/]*';
    else if (char === '?') pattern += '[^/]';
    else pattern += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`);
}

/** Whether an object key under `prefix` matches the glob (its name relative to the prefix). */
export function matchesGlob(input: { key: string; prefix: string; glob: RegExp }): boolean {
  return input.key.startsWith(input.prefix) && input.glob.test(input.key.slice(input.prefix.length));
}

/** How an object is compressed, from its extension: .gz / .gzip, .zst / .zstd, or none. */
export function compressionOf(key: string): 'gzip' | 'zstd' | 'none' {
  if (/\.(gz|gzip)$/i.test(key)) return 'gzip';
  if (/\.(zst|zstd)$/i.test(key)) return 'zstd';
  return 'none';
}
