import { randomUUID } from "node:crypto";

/** Ids of requests, conversations, messages, documents and chunks. */
export function newId(): string {
  return randomUUID();
}

/** Client-chosen conversation ids are allowed, within this alphabet. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/u;
