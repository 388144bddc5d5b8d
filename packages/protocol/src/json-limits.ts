/**
 * Limits on JSON that enters Ingot (event bodies, registrations, checkpoints, app answers).
 * Deeply nested JSON parses fine, but recursive work on it later (serializing a request to an
 * app, canonical JSON for signing, expressions) overflows the stack; it is refused at the edge
 * instead, with a 4xx, before anything of it is stored.
 */

/** Deepest nesting of arrays and objects accepted anywhere (the body's own levels included). */
export const MAX_JSON_DEPTH = 512;

/**
 * The nesting depth of JSON text, counted without parsing (brackets outside strings), stopping
 * as soon as it passes `limit`: O(n), no recursion, safe on any input.
 */
export function jsonDepthExceeds(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c /* \ */) i++;
      else if (code === 0x22 /* " */) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b /* { */ || code === 0x5b /* [ */) {
      if (++depth > limit) return true;
    } else if (code === 0x7d /* } */ || code === 0x5d /* ] */) depth--;
  }
  return false;
}

/** The nesting depth of a parsed value, walked without recursion (for values built in code). */
export function valueDepthExceeds(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  const stack: { node: unknown; depth: number }[] = [{ node: value, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (node === null || typeof node !== "object") continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(node)) stack.push({ node: child, depth: depth + 1 });
  }
  return false;
}
