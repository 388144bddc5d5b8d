import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * One server per SQLite data directory: the in-memory scheduler assumes it owns the queue. A
 * lock file holds the owner's pid; a lock left by a killed process (pid gone) is taken over.
 */
export class DataDirLock {
  private constructor(private readonly path: string) {}

  static acquire(dataDir: string): DataDirLock {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, "ingot.lock");
    let holder: number | undefined;
    try {
      holder = Number(readFileSync(path, "utf8").trim());
    } catch {
      holder = undefined;
    }
    if (
      holder !== undefined &&
      Number.isInteger(holder) &&
      holder !== process.pid &&
      isAlive(holder)
    ) {
      throw new Error(
        `data directory ${dataDir} is in use by another ingot process (pid ${holder}); stop it or use --data-dir`,
      );
    }
    writeFileSync(path, String(process.pid));
    return new DataDirLock(path);
  }

  release(): void {
    rmSync(this.path, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
