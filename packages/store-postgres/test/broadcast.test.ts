import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decode, encode, splitUtf8 } from "../src/broadcast.js";
import { PostgresStore } from "../src/index.js";
import { TestPostgres } from "./postgres.js";

/** `PostgresBroadcast`: messages between stores (nodes) through `NOTIFY`, in one order. */

describe("broadcast payloads", () => {
  it("packs small messages together and fragments big ones under 8,000 bytes", () => {
    const small = Array.from({ length: 500 }, (_, i) => JSON.stringify({ i, text: "héllo" }));
    const big = "é€😀".repeat(10_000); // 2, 3 and 4 UTF-8 bytes: cuts must fall between them
    const payloads = encode([...small, big, "last"]);
    expect(payloads.every((payload) => Buffer.byteLength(payload) < 8_000)).toBe(true);
    expect(payloads.length).toBeLessThan(small.length);
    const partial = new Map<string, string[]>();
    const out = payloads.flatMap((payload) => decode(payload, partial));
    expect(out).toEqual([...small, big, "last"]);
    expect(partial.size).toBe(0);
  });

  it("drops a big message whose fragments arrive incomplete, and goes on", () => {
    const [first, , third] = encode(["x".repeat(20_000)]);
    const partial = new Map<string, string[]>();
    expect(decode(first!, partial)).toEqual([]);
    expect(decode(third!, partial)).toEqual([]);
    expect(decode(encode(["next"])[0]!, partial)).toEqual(["next"]);
  });

  it("never cuts inside a character", () => {
    const text = "a😀".repeat(100);
    const pieces = splitUtf8(text, 7);
    expect(pieces.join("")).toBe(text);
    expect(pieces.every((piece) => Buffer.byteLength(piece) <= 7)).toBe(true);
    expect(pieces.every((piece) => !/^[\uDC00-\uDFFF]/u.test(piece))).toBe(true);
  });
});

describe("broadcast between two stores", () => {
  let server: TestPostgres;
  let a: PostgresStore;
  let b: PostgresStore;

  beforeAll(async () => {
    server = await TestPostgres.start();
    const { url } = await server.createDatabase();
    a = await PostgresStore.open({ connectionString: url, max: 2 });
    b = await PostgresStore.open({ connectionString: url, max: 2 });
  }, 60_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await server?.stop();
  });

  it("delivers what either store sends to both, in one order, big messages whole", async () => {
    const onA = a.broadcast("ingot_test");
    const onB = b.broadcast("ingot_test");
    const seenA: string[] = [];
    const seenB: string[] = [];
    onA.subscribe((message) => seenA.push(message));
    onB.subscribe((message) => seenB.push(message));
    await Promise.all([onA.whenListening(), onB.whenListening()]);
    const big = `big:${"ü".repeat(30_000)}`;
    for (let i = 0; i < 1_000; i++) {
      // Each is sent once the previous one (from the other store) was acknowledged.
      const from = i % 2 === 0 ? onA : onB;
      if (i === 500) await from.send([big]);
      await from.send([`m${i}`]);
    }
    const deadline = Date.now() + 10_000;
    while ((seenA.length < 1_001 || seenB.length < 1_001) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const expected = [
      ...Array.from({ length: 500 }, (_, i) => `m${i}`),
      big,
      ...Array.from({ length: 500 }, (_, i) => `m${i + 500}`),
    ];
    expect(seenA).toEqual(expected);
    expect(seenB).toEqual(expected);
  });

  it("batches concurrent sends: all land, each sender's in its order", async () => {
    const sender = a.broadcast("ingot_batch");
    const receiver = b.broadcast("ingot_batch");
    const seen: string[] = [];
    receiver.subscribe((message) => seen.push(message));
    await receiver.whenListening();
    await Promise.all(Array.from({ length: 2_000 }, (_, i) => sender.send([`c${i}`])));
    const deadline = Date.now() + 10_000;
    while (seen.length < 2_000 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual(Array.from({ length: 2_000 }, (_, i) => `c${i}`));
  });
});
