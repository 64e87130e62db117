/** The generator lives in src/util (dbopt bench draws parameters with it); the bench scripts keep this path. */
export { seededRandom } from "../../src/util/seeded-random.js";
