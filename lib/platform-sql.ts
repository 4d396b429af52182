import { join } from 'node:path';

/** The data tier's own migration stream (the data_tier schema), applied before any application's. */
export const PLATFORM_SQL_DIR = join(__dirname, '..', 'sql');
