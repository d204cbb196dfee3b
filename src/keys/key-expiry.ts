// Apart from the key service so that the CLI can name them without loading it.

/** What the CLI suggests when no expiry is given: one year. */
export const SUGGESTED_KEY_DAYS = 365;
export const MAX_KEY_DAYS = 730;
