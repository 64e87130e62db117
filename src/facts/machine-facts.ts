/** The machine the server runs on, when the user says (dbopt cannot read RAM or disks through SQL). */
export interface MachineFacts {
  ramBytes?: number;
  cpus?: number;
  storage?: "ssd" | "hdd" | "san";
}
