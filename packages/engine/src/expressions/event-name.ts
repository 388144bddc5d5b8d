/**
 * Event-name patterns of triggers (spec §11): an exact name, or a prefix ending in `/*` or `.*`
 * (`app/*`, `app/user.*`). The `*` must be the last character, appear once, and follow `/` or `.`
 * with at least one character before that separator, so `*`, `/*` and `app*` are not patterns.
 */

const isWildcard = (pattern: string): boolean => pattern.endsWith("*");

export const isValidEventPattern = (pattern: string): boolean => {
  if (pattern.trim() === "") return false;
  const star = pattern.indexOf("*");
  if (star === -1) return true;
  if (star !== pattern.length - 1) return false;
  const separator = pattern[star - 1];
  return (separator === "/" || separator === ".") && star >= 2;
};

/**
 * True if `name` is `pattern`, or starts with the prefix of a valid wildcard pattern
 * (`app/*` matches `app/user.created`; `app/user.*` matches `app/user.created` but not
 * `app/users.created`). An invalid pattern matches nothing.
 */
export const matchesEventName = (pattern: string, name: string): boolean => {
  if (!isWildcard(pattern)) return pattern === name && isValidEventPattern(pattern);
  if (!isValidEventPattern(pattern)) return false;
  const prefix = pattern.slice(0, -1);
  // The part after the prefix must be a real name segment, not nothing: "app/" is not an event.
  return name.length > prefix.length && name.startsWith(prefix);
};
