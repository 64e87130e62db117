import { existsSync } from "node:fs";
import { join } from "node:path";
import { DbError } from "../connectors/db-error.js";
import { InputError } from "../util/input-error.js";
import { type OpenStore, openStore, storeHome } from "./open-store.js";
import { STORE_SCHEMA_VERSION, storeVersion } from "./store-migrations.js";

/**
 * Open a store that must already hold samples, to read it: a missing embedded store is said, not created, and a
 * store set up by a newer dbopt is refused.
 */
export async function openExistingStore(options: {
  url?: string | undefined;
  home?: string | undefined;
  onProgress?: ((message: string) => void) | undefined;
}): Promise<OpenStore> {
  if (!options.url) {
    const data = join(options.home ?? storeHome().home, "store");
    if (!existsSync(join(data, "PG_VERSION")))
      throw new InputError(
        `there is no history store in ${data} yet`,
        "run dbopt collect first, or pass --store postgresql://... (a team store)",
      );
  }
  const opened = await openStore({
    url: options.url,
    ...(options.home ? { home: options.home } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  try {
    const version = await storeVersion(opened.store);
    if (version === 0)
      throw new InputError(
        `the history store ${opened.description} has no samples yet`,
        "run dbopt collect on the database first (with the same --store)",
      );
    if (version > STORE_SCHEMA_VERSION)
      throw new DbError({
        code: "unsupported-version",
        message: `the history store ${opened.description} has schema version ${version}, newer than this dbopt knows (${STORE_SCHEMA_VERSION})`,
        hint: "upgrade dbopt to the version the collectors use",
      });
    return opened;
  } catch (error) {
    await opened.close();
    throw error;
  }
}
