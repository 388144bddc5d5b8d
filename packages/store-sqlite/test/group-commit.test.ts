import type { fdatasync } from "node:fs";
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Db, GroupCommitter, openDatabase } from "../src/database.js";

const dirs: string[] = [];
const dbs: Db[] = [];

afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A WAL database with one table, and a committer whose fsyncs the test finishes by hand. */
function setup() {
  const dir = mkdtempSync(join(tmpdir(), "ingot-gc-"));
  dirs.push(dir);
  const path = join(dir, "ingot.db");
  const db = openDatabase({ path, synchronous: "normal" });
  dbs.push(db);
  db.exec("CREATE TABLE t (n INTEGER)");
  const syncs: { fd: number; done: (error: NodeJS.ErrnoException | null) => void }[] = [];
  const manual = ((fd: number, done: (error: NodeJS.ErrnoException | null) => void) => {
    syncs.push({ fd, done });
  }) as typeof fdatasync;
  const writer = new GroupCommitter(db, { walPath: `${path}-wal`, fdatasync: manual });
  const insert = (n: number) => () => db.prepare("INSERT INTO t VALUES (?)").run(n).changes;
  return { db, path, writer, syncs, insert };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("group commit with fsync off the event loop", () => {
  it("resolves a durable write only after an fsync of the WAL that began after its commit", async () => {
    const { db, writer, syncs, insert } = setup();
    let resolved = false;
    const write = writer.write(insert(1)).then(() => (resolved = true));
    await tick();
    await tick();
    // Committed (visible to readers) but not yet acknowledged.
    expect(db.prepare("SELECT COUNT(*) AS n FROM t").get()).toEqual({ n: 1 });
    expect(resolved).toBe(false);
    expect(syncs).toHaveLength(1);
    syncs[0]!.done(null);
    await write;
    expect(resolved).toBe(true);
  });

  it("covers every batch committed during a running fsync with the next single fsync", async () => {
    const { writer, syncs, insert } = setup();
    const first = writer.write(insert(1));
    await tick();
    const later = [writer.write(insert(2)), writer.write(insert(3))];
    await tick();
    const last = writer.write(insert(4));
    await tick();
    expect(syncs).toHaveLength(1); // the others wait for the running fsync to finish
    syncs[0]!.done(null);
    await first;
    expect(syncs).toHaveLength(2);
    let laterDone = false;
    void Promise.all([...later, last]).then(() => (laterDone = true));
    await tick();
    expect(laterDone).toBe(false);
    syncs[1]!.done(null);
    await expect(Promise.all([...later, last])).resolves.toEqual([1, 1, 1]);
  });

  it("resolves a write marked not durable at commit, without waiting for the fsync", async () => {
    const { writer, syncs, insert } = setup();
    await expect(writer.write(insert(1), { durable: false })).resolves.toBe(1);
    expect(syncs).toHaveLength(0);
  });

  it("never settles a write marked not durable ahead of durable writes committed before it", async () => {
    const { writer, syncs, insert } = setup();
    const order: string[] = [];
    const durable = writer.write(insert(1)).then(() => order.push("durable"));
    await tick();
    // Committed while the durable write's fsync runs: settles when that fsync ends, after it.
    const claim = writer.write(insert(2), { durable: false }).then(() => order.push("claim"));
    await tick();
    await tick();
    expect(order).toEqual([]);
    expect(syncs).toHaveLength(1); // it asked for no fsync of its own
    syncs[0]!.done(null);
    await Promise.all([durable, claim]);
    expect(order).toEqual(["durable", "claim"]);
  });

  it("rejects a failing write at once and rejects durable writes whose fsync failed", async () => {
    const { writer, syncs, insert } = setup();
    const failing = writer.write(() => {
      throw new Error("constraint");
    });
    const ok = writer.write(insert(1));
    await expect(failing).rejects.toThrow("constraint");
    await tick();
    syncs[0]!.done(Object.assign(new Error("EIO: i/o error"), { code: "EIO" }));
    await expect(ok).rejects.toThrow("EIO");
  });

  it("close() fsyncs and settles what is still waiting", async () => {
    const { writer, syncs, insert, path } = setup();
    const running = writer.write(insert(1));
    await tick();
    const queued = writer.write(insert(2));
    expect(syncs).toHaveLength(1);
    writer.close();
    await expect(Promise.all([running, queued])).resolves.toEqual([1, 1]);
    // The late callback of the fsync that was running closes its descriptor without harm.
    syncs[0]!.done(null);
    const fd = openSync(`${path}-wal`, "r");
    expect(readSync(fd, Buffer.alloc(4))).toBe(4);
    closeSync(fd);
    await expect(writer.write(insert(3))).rejects.toThrow("closed");
  });
});
