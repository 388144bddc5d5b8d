import { arr, isObject, obj, str, type JsonObject } from "./json.js";

const STRING_FORMATS: Record<string, string> = {
  date: "2025-01-01",
  "date-time": "2025-01-01T00:00:00Z",
  time: "00:00:00",
  email: "user@example.com",
  uri: "https://example.com",
  url: "https://example.com",
  uuid: "00000000-0000-4000-8000-000000000000",
};

// Deep enough for any realistic tool schema; guards against self-referencing schemas.
const MAX_DEPTH = 8;

/**
 * Builds arguments a model could plausibly send for a tool: every required property gets a
 * type-appropriate placeholder (or its `const`/`enum`/`default`/`example`). Accepts JSON
 * Schema and Gemini's OpenAPI subset (upper-case `type` names).
 */
export function argsFromSchema(schema: unknown): Record<string, unknown> {
  const value = placeholder(schema, 0);
  return isObject(value) ? value : {};
}

function placeholder(schema: unknown, depth: number): unknown {
  if (!isObject(schema) || depth > MAX_DEPTH) return null;
  if ("const" in schema) return schema["const"];
  const enumValues = arr(schema, "enum");
  if (enumValues && enumValues.length > 0) return enumValues[0];
  if ("default" in schema) return schema["default"];
  if ("example" in schema) return schema["example"];
  const examples = arr(schema, "examples");
  if (examples && examples.length > 0) return examples[0];
  const variant = arr(schema, "anyOf") ?? arr(schema, "oneOf") ?? arr(schema, "allOf");
  const firstVariant = variant?.find(isObject);
  if (firstVariant) return placeholder(firstVariant, depth + 1);
  return byType(schema, schemaType(schema), depth);
}

function schemaType(schema: JsonObject): string {
  const type = schema["type"];
  if (typeof type === "string") return type.toLowerCase();
  if (Array.isArray(type)) {
    const first = type.find((t): t is string => typeof t === "string" && t !== "null");
    if (first) return first.toLowerCase();
  }
  if (isObject(schema["properties"])) return "object";
  if ("items" in schema) return "array";
  return "string";
}

function byType(schema: JsonObject, type: string, depth: number): unknown {
  switch (type) {
    case "object":
      return objectPlaceholder(schema, depth);
    case "array": {
      const minItems = typeof schema["minItems"] === "number" ? schema["minItems"] : 1;
      return minItems > 0 ? [placeholder(schema["items"], depth + 1)] : [];
    }
    case "integer":
    case "number": {
      const min = schema["minimum"];
      return typeof min === "number" ? Math.ceil(min) : 1;
    }
    case "boolean":
      return true;
    case "null":
      return null;
    default: {
      const format = str(schema, "format");
      return (format && STRING_FORMATS[format]) ?? "example";
    }
  }
}

function objectPlaceholder(schema: JsonObject, depth: number): JsonObject {
  const properties = obj(schema, "properties") ?? {};
  const required = (arr(schema, "required") ?? []).filter(
    (name): name is string => typeof name === "string",
  );
  const out: JsonObject = {};
  for (const name of required) out[name] = placeholder(properties[name], depth + 1);
  return out;
}
